import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { notFound, rejected } from '../domain/errors.js';
import type { Thread } from '../domain/thread/thread.js';
import { attempt, findTurn, lastRowBefore, lastTurns, loadChain } from './internal/historyIndex.js';
import type { MutationPorts } from './ports.js';
import { answerThread, must } from './internal/mutationSteps.js';
import { serializeHistoryCursor } from './internal/cursors.js';
import { writeRevision } from './internal/writeRevision.js';

export interface RevertResult {
  /** The thread after the revert (`turns: []`, as Codex answers). */
  readonly thread: Thread;
  /** Desc cursor that includes the last kept turn / item (null when nothing is kept). */
  readonly turnsBackwardsCursor: string | null;
  readonly itemsBackwardsCursor: string | null;
  readonly written: { readonly path: string; readonly bytes: number; readonly lines: number };
}

/** Codex's refusal for legacy threads, word for word. */
export const REVERT_NEEDS_PAGINATED = 'thread/revert only supports paginated threads';

/**
 * `thread/revert {threadId, beforeTurnId}`: the thread keeps its history before that turn, as a
 * new revision file referencing the cut (Codex 0.169 semantics). Paginated threads only.
 */
export const revertThread = (ports: MutationPorts, threadId: string, beforeTurnId: string): TE.TaskEither<EngineError, RevertResult> => () =>
  attempt(async () => {
    await must(ports.indexer.refreshThread(threadId));
    const chain = await loadChain(ports.index, threadId);
    if (chain.mode !== 'paginated') throw rejected(REVERT_NEEDS_PAGINATED);
    const target = await findTurn(ports.index, chain, beforeTurnId);
    if (target === undefined) throw notFound('turn', beforeTurnId);
    const written = await writeRevision(ports, chain, target.ref.anchor);
    const thread = await answerThread(ports, threadId, false);
    return { thread, ...(await backwardsCursors(ports, threadId)), written };
  });

/** Cursors that page the kept history backwards from its end, as `thread/revert` answers. */
export const backwardsCursors = async (
  ports: MutationPorts,
  threadId: string,
): Promise<{ turnsBackwardsCursor: string | null; itemsBackwardsCursor: string | null }> => {
  const chain = await loadChain(ports.index, threadId);
  const lastTurn = (await lastTurns(ports.index, chain, 1))[0];
  const lastItem = await lastRowBefore(ports.index, chain, 'items');
  return {
    turnsBackwardsCursor: lastTurn?.anchor.ordinal == null ? null : serializeHistoryCursor(threadId, 'turns', lastTurn.anchor.ordinal, true),
    itemsBackwardsCursor: lastItem?.value.ordinal == null ? null : serializeHistoryCursor(threadId, 'itemsByCreatedAtOrdinal', lastItem.value.ordinal, true),
  };
};
