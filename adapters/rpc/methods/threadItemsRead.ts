import * as TE from 'fp-ts/lib/TaskEither.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { threadItemsReadMethod } from '../../../protocol/items.js';
import { readTurnItems } from '../../../replay/readTurnItems.js';
import { bindMethod } from '../method.js';

/** `thread/items/read` (experimental): some items of one turn by id; a non-UUID id refused as Codex refuses it. */
export const threadItemsRead = bindMethod(threadItemsReadMethod, (ctx, p) =>
  TE.chain(() => readTurnItems(ctx.ports, p))(TE.fromEither(checkedThreadId(p.threadId, 'thread'))),
);
