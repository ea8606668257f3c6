import * as TE from 'fp-ts/lib/TaskEither.js';
import { forkAnswerOf, forkThread } from '../../../../replay/mutations/forkThread.js';
import type { ForkResult } from '../../../../replay/mutations/forkThread.js';
import { bindMethod } from '../method.js';
import { threadForkMethod } from '../../../../protocol/historyWrites.js';

/**
 * `thread/fork`: a reference fork (paginated) or a copy (legacy). As Codex: the deprecation notice
 * when a paginated fork's turns are hydrated, the inherited token usage, `thread/started`; and the
 * connection follows the fork from then on (live notifications, `threadSubscriptions.ts`).
 */
export const threadFork = bindMethod(threadForkMethod, (ctx, p) =>
  TE.map((f: ForkResult) => {
    const withTurns = p.excludeTurns !== true;
    const notice = threadForkMethod.paginatedFullHistoryNotice;
    if (notice !== undefined && withTurns && f.thread.historyMode === 'paginated')
      ctx.notify('deprecationNotice', { summary: notice, details: null });
    if (withTurns && f.tokenUsage !== null) ctx.notify('thread/tokenUsage/updated', f.tokenUsage, 'afterAnswer');
    // Codex holds the fork loaded (thread/loaded/list lists it).
    ctx.loaded.load(f.thread.id);
    // Codex announces the fork without its history (the answer carries the turns when asked).
    ctx.notify('thread/started', { thread: { ...f.thread, turns: [] } }, 'afterAnswer');
    return forkAnswerOf(f);
  })(
    TE.chainFirstTaskK((f: ForkResult) => async () => {
      // Following is beside the answer: a fork that cannot be followed is still the fork.
      await ctx.threads?.subscribe(f.thread.id);
    })(forkThread(ctx.ports, p)),
  ),
);
