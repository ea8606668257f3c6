import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { readThread } from '../../../../replay/history/readThread.js';
import type { ThreadRead } from '../../../../replay/history/readThread.js';
import { startReview } from '../../../../replay/mutations/startReview.js';
import type { ReviewResult } from '../../../../replay/mutations/startReview.js';
import { asLoaded } from '../../../../domain/thread/thread.js';
import { bindMethod } from '../method.js';
import { reviewStartMethod } from '../../../../protocol/historyWrites.js';

/**
 * `review/start`: the review turn starts inline in the thread or in a new detached review thread.
 * (Codex 0.169.0 refuses `detached`.) A detached review's new thread is told as a fork's is: held
 * loaded, `thread/started` after the answer.
 */
export const reviewStart = bindMethod(reviewStartMethod, (ctx, p) =>
  pipe(
    startReview(ctx.ports, p),
    TE.chainFirst(({ reviewThreadId }: ReviewResult) =>
      reviewThreadId === p.threadId
        ? TE.right(undefined)
        : TE.map(({ thread }: ThreadRead) => {
            ctx.loaded.load(thread.id);
            ctx.notify('thread/started', { thread: asLoaded({ ...thread, turns: [] }) }, 'afterAnswer');
          })(readThread(ctx.ports, { threadId: reviewThreadId, includeTurns: false })),
    ),
    TE.map(({ turn, reviewThreadId }: ReviewResult) => ({ turn, reviewThreadId })),
  ),
);
