import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { notFound, rejected } from '../../domain/errors.js';
import type { ThreadRevertResult } from '../../protocol/historyWrites.js';
import { cursorLine, findTurn, historyEnd, lastRowBefore, lastTurns, lineageToChange } from '../internal/lineage.js';
import type { FileWritten, MutationPorts } from '../ports.js';
import { answerThread } from '../internal/mutationSteps.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { serializeHistoryCursor } from '../internal/cursors.js';
import { writeRevision } from '../internal/writeRevision.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** `thread/revert`'s answer (the protocol's `ThreadRevertResult`) and the file written. */
export type RevertResult = ThreadRevertResult & { readonly written: FileWritten };

/** Codex's refusal for legacy threads, word for word. */
export const REVERT_NEEDS_PAGINATED = 'thread/revert only supports paginated threads';

/**
 * `thread/revert {threadId, beforeTurnId}`: the thread keeps its history before that turn, as a
 * new revision file referencing the cut (Codex 0.169 semantics). Paginated threads only.
 */
export const revertThread = (
  ports: MutationPorts,
  { threadId, beforeTurnId }: ParamsOf<'thread/revert'>,
): TE.TaskEither<EngineError, RevertResult> =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    if (lineage.mode !== 'paginated') return stop(rejected(REVERT_NEEDS_PAGINATED));
    // Before the turn is looked up (another process may index lines meanwhile): see writeRevision.
    const end = await historyEnd(ports.index, lineage);
    const target = (await findTurn(ports.index, lineage, beforeTurnId)) ?? stop(notFound('turn', beforeTurnId));
    const written = await writeRevision(ports, lineage, target.ref.anchor, end);
    const thread = await answerThread(ports, threadId, false);
    return { thread, ...(await backwardsCursors(ports, threadId)), written };
  });

/** Cursors that page the kept history backwards from its end, as `thread/revert` answers. */
export const backwardsCursors = async (
  ports: MutationPorts,
  threadId: string,
): Promise<{ turnsBackwardsCursor: string | null; itemsBackwardsCursor: string | null }> => {
  const lineage = await lineageToChange(ports.index, threadId);
  const lastTurn = (await lastTurns(ports.index, lineage, 1))[0];
  const lastItem = await lastRowBefore(ports.index, lineage, 'items');
  return {
    turnsBackwardsCursor:
      lastTurn?.anchor.ordinal == null
        ? null
        : serializeHistoryCursor(
            threadId,
            'turns',
            lastTurn.anchor.ordinal,
            true,
            await cursorLine(ports.index, lastTurn.anchor.rolloutId, lastTurn.anchor.line),
          ),
    itemsBackwardsCursor:
      lastItem?.value.ordinal == null
        ? null
        : serializeHistoryCursor(
            threadId,
            'itemsByCreatedAtOrdinal',
            lastItem.value.ordinal,
            true,
            await cursorLine(ports.index, lastItem.segment.rollout.rolloutId, lastItem.line),
          ),
  };
};
