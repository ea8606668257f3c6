import { threadDeleteMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { deleteThread } from '../../../../replay/mutations/deleteThread.js';
import { bindMethod } from '../method.js';
import { unloaded } from './threadArchive.js';

/** `thread/delete`: a loaded thread is unloaded first (`thread/status/changed` notLoaded before the answer), then `{}` and `thread/deleted`, as Codex orders them. */
export const threadDelete = bindMethod(threadDeleteMethod, (ctx, p) =>
  pipe(
    deleteThread(ctx.ports, p),
    TE.map(({ threadId }) => {
      unloaded(ctx, threadId);
      ctx.notify('thread/deleted', { threadId }, 'afterAnswer');
      return {};
    }),
  ),
);
