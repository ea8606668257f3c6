import { threadUnarchiveMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { unarchiveThread } from '../../../../replay/mutations/unarchiveThread.js';
import { bindMethod } from '../method.js';

/** `thread/unarchive`: `{thread}`, then `thread/unarchived`. */
export const threadUnarchive = bindMethod(threadUnarchiveMethod, (ctx, p) =>
  pipe(
    unarchiveThread(ctx.ports, p),
    TE.map(({ threadId, thread }) => {
      ctx.notify('thread/unarchived', { threadId }, 'afterAnswer');
      return { thread };
    }),
  ),
);
