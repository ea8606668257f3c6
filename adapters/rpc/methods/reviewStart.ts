import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { ReviewTarget } from '../../../domain/review/reviewTarget.js';
import { startReview } from '../../../replay/startReview.js';
import type { ReviewResult } from '../../../replay/startReview.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

const ReviewStartParams = t.intersection([
  t.type({ threadId: t.string, target: ReviewTarget }),
  t.partial({ delivery: optional(t.keyof({ inline: null, detached: null })) }),
]);

/** `review/start`: the review turn starts inline in the thread or in a new detached review thread. */
export const reviewStart = defineMethod({
  name: 'review/start',
  params: ReviewStartParams,
  handle: (ctx, p) =>
    TE.map(({ turn, reviewThreadId }: ReviewResult) => ({ turn, reviewThreadId }))(startReview(ctx.ports, p.threadId, p.target, p.delivery ?? 'inline')),
});
