import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { archiveThread } from '../../../replay/archiveThread.js';
import { defineMethod, threadScope } from '../method.js';
import type { RpcContext } from '../method.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';

/** `thread/archive` / `thread/unarchive` / `thread/delete` params; the CLI decodes its argument with it too. */
export const ThreadIdParams = t.type({ threadId: t.string });

/** A thread archived or deleted is no longer held loaded; Codex says so before its answer. */
export const unloaded = (ctx: RpcContext, threadId: string): void => {
  if (ctx.loaded.unload(threadId)) ctx.notify('thread/status/changed', { threadId, status: { type: 'notLoaded' } });
};

/** `thread/archive`: a loaded thread is unloaded first (`thread/status/changed` notLoaded before the answer), then `{}` and `thread/archived`, as Codex orders them. */
export const threadArchive = defineMethod({
  name: 'thread/archive',
  params: ThreadIdParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    pipe(
      TE.fromEither(checkedThreadId(p.threadId, 'session')),
      TE.chain((id) => archiveThread(ctx.ports, id)),
      TE.map(({ threadId }) => {
        unloaded(ctx, threadId);
        ctx.notify('thread/archived', { threadId }, 'afterAnswer');
        return {};
      }),
    ),
});
