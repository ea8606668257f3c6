import { threadItemsListMethod } from '../../../protocol/items.js';
import { listItems } from '../../../replay/listItems.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { bindMethod } from '../method.js';

/** `thread/items/list`: a page of items (default oldest first, 25), paginated and legacy threads alike. */
export const threadItemsList = bindMethod(threadItemsListMethod, (ctx, p) =>
  TE.chain(() => listItems(ctx.ports, p))(TE.fromEither(checkedThreadId(p.threadId, 'thread'))),
);
