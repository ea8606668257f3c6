import { threadTurnsListMethod } from '../../../protocol/turns.js';
import { listTurns } from '../../../replay/listTurns.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { bindMethod } from '../method.js';

/** `thread/turns/list`: a page of turns (default newest first, summary items, 25); a non-UUID id refused as Codex refuses it. */
export const threadTurnsList = bindMethod(threadTurnsListMethod, (ctx, p) =>
  TE.chain(() => listTurns(ctx.ports, p))(TE.fromEither(checkedThreadId(p.threadId, 'thread'))),
);
