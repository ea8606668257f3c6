import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { LinePos, RolloutRow, ThreadRow } from '../../domain/index/rows.js';
import type { HistoryMode } from '../../domain/thread/foldTurns.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';
import { hopOfRow } from '../../projections/threadRows.js';

/**
 * A thread's logical history as index segments, oldest first: each rollout file that holds part
 * of it, with the cut its newer neighbour's `history_base` puts on it. Like Codex's rollout
 * lineage, a page reads each segment's own rows below its cut; nothing is copied between them.
 */
export interface LineageSegment {
  readonly rollout: RolloutRow;
  /** Ordinal of the segment's first own line (its base's cut; 0 for a root file). */
  readonly startOrdinal: number;
  /** Exclusive end, set by the next newer segment's history_base; null for the current file. */
  readonly endOrdinal: number | null;
  readonly endByteOffset: number | null;
}

export interface ThreadLineage {
  readonly thread: ThreadRow;
  readonly mode: HistoryMode;
  /** Early (envelope-less) rollouts show items derived from response items. */
  readonly itemsFromResponses: boolean;
  readonly segments: ReadonlyArray<LineageSegment>;
}

/** Is a row's position inside the segment (below the cut its newer neighbour sets)? */
export const inSegment = (seg: LineageSegment, pos: LinePos): boolean => {
  if (pos.ordinal !== null && seg.endOrdinal !== null) return pos.ordinal >= seg.startOrdinal && pos.ordinal < seg.endOrdinal;
  if (seg.endByteOffset !== null) return pos.byteOffset < seg.endByteOffset;
  return true;
};

/** Which segment holds a paginated ordinal (Codex: "position outside thread lineage" when none). */
export const segmentIndexForOrdinal = (segments: ReadonlyArray<LineageSegment>, ordinal: number): number | undefined => {
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const s = segments[i]!;
    if (ordinal >= s.startOrdinal && (s.endOrdinal === null || ordinal < s.endOrdinal)) return i;
  }
  return undefined;
};

/** The thread's row and lineage from the index; undefined when the index has no such thread. */
export const loadLineage = (index: IndexStore, threadId: string): TE.TaskEither<EngineError, ThreadLineage | undefined> => async () => {
  const thread = await index.get('threads', [threadId])();
  if (E.isLeft(thread) || thread.right === undefined) return thread as E.Either<EngineError, undefined>;
  const current = await index.get('rollouts', [thread.right.rolloutId])();
  if (E.isLeft(current)) return current;
  if (current.right === undefined) return E.right(undefined);
  // A missing base reads as history that starts above it (the rows below the cut are gone).
  const walked = await walkHistoryAsync(current.right, current.right.rolloutId, hopOfRow, (id) => index.get('rollouts', [id])());
  if (E.isLeft(walked)) return walked;
  const { chain, end } = walked.right;
  if (end.kind === 'cycle') return E.left(corrupt(chain[0]!.node.path, 0, `history_base cycle through rollout ${end.rolloutId}`));
  const segments: LineageSegment[] = chain.map(({ node, cut }) => ({
    rollout: node,
    startOrdinal: node.base?.endOrdinalExclusive ?? 0,
    endOrdinal: cut?.endOrdinalExclusive ?? null,
    endByteOffset: cut?.endByteOffset ?? null,
  }));
  const meta = current.right.meta as { upcast_from?: unknown } | null;
  return E.right({
    thread: thread.right,
    mode: current.right.mode,
    itemsFromResponses: meta?.upcast_from != null,
    segments,
  });
};
