import { threadUnarchiveMethod } from '../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { unarchiveThread } from '../../../replay/unarchiveThread.js';
import { bindMethod } from '../method.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';

/** `thread/unarchive`: `{thread}`, then `thread/unarchived`. */
export const threadUnarchive = bindMethod(threadUnarchiveMethod, (ctx, p) =>
  pipe(
    TE.fromEither(checkedThreadId(p.threadId, 'session')),
    TE.chain((id) => unarchiveThread(ctx.ports, id)),
    TE.map(({ threadId, thread }) => {
      ctx.notify('thread/unarchived', { threadId }, 'afterAnswer');
      return { thread };
    }),
  ),
);
