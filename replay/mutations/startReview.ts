import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { HistoryPoint } from '../../domain/history/cut.js';
import { copyIntoLegacyFork } from '../../domain/fork/legacyCopy.js';
import { lineTimestamp, renderDrafts } from '../../domain/rollout/lineDraft.js';
import { emptyReviewPrompt } from '../../domain/review/reviewTarget.js';
import type { DetachedReviewInput, ReviewStart } from '../../domain/review/reviewLines.js';
import {
  detachedReviewMeta,
  detachedReviewTail,
  enteredReviewMode,
  reviewTurn,
} from '../../domain/review/reviewLines.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { historyEnd, lineageToChange } from '../internal/lineage.js';
import { refuseUnloadableLegacyHistory } from '../internal/openThread.js';
import { appendedCaughtUp, writingFiles } from '../internal/writingFiles.js';
import type { FileWritten, MutationPorts } from '../ports.js';
import { sessionMetaOf, settingsBefore } from '../internal/mutationSteps.js';
import { codexStateAfterWrite } from '../internal/codexStateAfterWrite.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ReviewStartResult } from '../../protocol/historyWrites.js';
import type { ParamsOf } from '../../protocol/methods.js';

export type ReviewDelivery = 'inline' | 'detached';

/** `review/start`'s answer (the protocol's `ReviewStartResult`) and the file written. */
export type ReviewResult = ReviewStartResult & { readonly written: FileWritten };

/** An inline review: the entered-review-mode item appended to the thread itself. */
const reviewInline = async (
  ports: MutationPorts,
  threadId: string,
  target: ReviewStart['target'],
  lineage: ThreadLineage,
  end: HistoryPoint,
  now: Date,
): Promise<ReviewResult> => {
  const currentPath = currentSegmentOf(lineage).rollout.path;
  // Appended into the thread: a Codex that has it loaded would neither see the turn nor keep its lines apart from ours.
  await take(ports.codexState.refuseIfHeld(threadId));
  const review: ReviewStart = { threadId, turnId: ports.ids.uuidv7(), itemId: ports.ids.uuidv7(), target, now };
  return {
    turn: reviewTurn(review, null),
    reviewThreadId: threadId,
    written: await appendedCaughtUp(ports, currentPath, [enteredReviewMode(lineage.mode, review)], end, lineage.mode),
  };
};

/**
 * `review/start`. Inline: the parent thread gets the review turn's entered-review-mode item.
 * Detached: a new review thread is forked from the parent's history (a reference fork for a
 * paginated parent, a copy for a legacy one) as a review sub-agent thread (`source {subagent:
 * review}`, `parent_thread_id`) whose first turn enters review mode. The review's result arrives
 * later as appended lines (exited-review-mode item, agent message, task_complete).
 */
export const startReview = (
  ports: MutationPorts,
  { threadId, target, ...p }: ParamsOf<'review/start'>,
): TE.TaskEither<EngineError, ReviewResult> =>
  useCase(async () => {
    // Inline unless asked, as Codex's default.
    const delivery: ReviewDelivery = p.delivery ?? 'inline';
    if (emptyReviewPrompt(target)) return stop(rejected('Review prompt cannot be empty'));
    await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    refuseUnloadableLegacyHistory(lineage);
    const currentPath = currentSegmentOf(lineage).rollout.path;
    const end = await historyEnd(ports.index, lineage);
    const now = ports.clock.now();
    if (delivery === 'inline') return reviewInline(ports, threadId, target, lineage, end, now);
    const review: ReviewStart = {
      threadId: ports.ids.uuidv7(),
      turnId: ports.ids.uuidv7(),
      itemId: ports.ids.uuidv7(),
      target,
      now,
    };
    const input: DetachedReviewInput = {
      parentMeta: await sessionMetaOf(ports, currentPath),
      parentThreadId: threadId,
      review,
      windowId: ports.ids.uuidv7(),
      cut: lineage.mode === 'paginated' ? end : null,
      settings: await settingsBefore(ports, lineage),
    };
    const path = ports.files.pathFor(now, review.threadId);
    const drafts = [detachedReviewMeta(input), ...detachedReviewTail(input)];
    const written = await writingFiles(ports, [path], async () => {
      const created =
        lineage.mode === 'paginated'
          ? await take(ports.files.create(path, renderDrafts(drafts, end.ordinal)))
          : await take(
              ports.files.createFrom(
                path,
                copiedReviewLines(ports, currentPath, end, lineTimestamp(now), renderDrafts(drafts, null)),
              ),
            );
      // A row in Codex's cache, as the engine's forks get: a Codex with its cache answers the review thread's model and lists it.
      // Written before the file is indexed, so the thread's row takes its times from it as Codex answers them
      // (a file whose mtime is a second later than the row's would otherwise be answered by the mtime).
      await codexStateAfterWrite(
        ports,
        { threadId: review.threadId, method: 'review/start', update: "the review thread's row" },
        ports.codexState.recordFork({
          sourceThreadId: threadId,
          threadId: review.threadId,
          path,
          at: now,
          reviewSubAgent: true,
        }),
      );
      await take(ports.indexer.catchUp([path]));
      return created;
    });
    return {
      turn: reviewTurn(review, Math.floor(now.getTime() / 1000)),
      reviewThreadId: review.threadId,
      written: { path, bytes: written.next.byteOffset, lines: written.next.ordinal },
    };
  });

/** A legacy parent's review thread: its meta, the parent's lines re-stamped, then the review turn. */
async function* copiedReviewLines(
  ports: MutationPorts,
  parentPath: string,
  end: HistoryPoint,
  ts: string,
  lines: ReadonlyArray<string>,
): AsyncGenerator<string> {
  const [meta, ...tail] = lines;
  yield meta!;
  for await (const entry of ports.files.linesBefore(parentPath, end.byteOffset)) {
    if (entry.kind === 'failed') throw entry.error;
    if (entry.kind === 'line') yield copyIntoLegacyFork(entry.line, ts);
  }
  yield* tail;
}
