import { threadArchiveMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { archiveThread } from '../../../../replay/mutations/archiveThread.js';
import { bindMethod } from '../method.js';
import type { RpcContext } from '../method.js';

/** A thread archived or deleted is no longer held loaded; Codex says so before its answer. */
export const unloaded = (ctx: RpcContext, threadId: string): void => {
  if (ctx.loaded.unload(threadId)) ctx.notify('thread/status/changed', { threadId, status: { type: 'notLoaded' } });
};

/** `thread/archive`: a loaded thread is unloaded first (`thread/status/changed` notLoaded before the answer), then `{}` and `thread/archived`, as Codex orders them. */
export const threadArchive = bindMethod(threadArchiveMethod, (ctx, p) =>
  pipe(
    archiveThread(ctx.ports, p),
    TE.map(({ threadId }) => {
      unloaded(ctx, threadId);
      ctx.notify('thread/archived', { threadId }, 'afterAnswer');
      return {};
    }),
  ),
);
