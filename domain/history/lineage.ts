import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { corrupt } from '../errors.js';
import type { LinePos, RolloutRow, ThreadRow } from '../index/rows.js';
import type { HistoryMode } from '../rollout/historyMode.js';
import type { WalkedHistory } from './walk.js';

/**
 * One rollout file's share of a thread's logical history, as the index holds it: the file's
 * own rows, below the cut its newer neighbour's `history_base` puts on it. Like Codex's rollout
 * lineage, a read takes each segment's own rows below its cut; nothing is copied between them.
 */
export interface HistorySegment {
  readonly rollout: RolloutRow;
  /** Ordinal of the segment's first own line (its base's cut; 0 for a root file). */
  readonly startOrdinal: number;
  /** Exclusive end, set by the next newer segment's history_base; null for the current file (to its end). */
  readonly endOrdinal: number | null;
  readonly endByteOffset: number | null;
}

/** A thread's logical history: its row and its segments, oldest first (the last is its current file). */
export interface ThreadLineage {
  readonly thread: ThreadRow;
  readonly mode: HistoryMode;
  /** Early (envelope-less) rollouts show items derived from response items. */
  readonly itemsFromResponses: boolean;
  readonly segments: ReadonlyArray<HistorySegment>;
}

/**
 * The lineage of a thread whose current file is `current`, from the walk down its
 * `history_base` hops. The one rule for a base the index does not hold (its file deleted, or not
 * indexed yet): the history starts above it, as if the rows below the cut were gone; reads and
 * mutations see the same turns. A cycle of hops is Corrupt.
 */
export const lineageOf = (
  thread: ThreadRow,
  current: RolloutRow,
  walked: WalkedHistory<RolloutRow>,
): E.Either<EngineError, ThreadLineage> => {
  const { chain, end } = walked;
  if (end.kind === 'cycle')
    return E.left(corrupt(chain[0]!.node.path, 0, `history_base cycle through rollout ${end.rolloutId}`));
  const meta = current.meta as { upcast_from?: unknown } | null;
  return E.right({
    thread,
    mode: current.mode,
    itemsFromResponses: meta?.upcast_from != null,
    segments: chain.map(({ node, cut }) => ({
      rollout: node,
      startOrdinal: node.base?.endOrdinalExclusive ?? 0,
      endOrdinal: cut?.endOrdinalExclusive ?? null,
      endByteOffset: cut?.endByteOffset ?? null,
    })),
  });
};

/** Is a row's position inside the segment (below the cut its newer neighbour sets)? */
export const inSegment = (seg: HistorySegment, pos: LinePos): boolean => {
  if (pos.ordinal !== null && seg.endOrdinal !== null)
    return pos.ordinal >= seg.startOrdinal && pos.ordinal < seg.endOrdinal;
  if (seg.endByteOffset !== null) return pos.byteOffset < seg.endByteOffset;
  return true;
};

/** The first line index past a segment's share of its file (paginated lines are numbered densely from `startOrdinal`). */
export const lineEndOf = (seg: HistorySegment): number =>
  seg.endOrdinal === null ? Number.MAX_SAFE_INTEGER : seg.endOrdinal - seg.startOrdinal;

/** Which segment holds a paginated ordinal (Codex: "position outside thread lineage" when none). */
export const segmentIndexForOrdinal = (
  segments: ReadonlyArray<HistorySegment>,
  ordinal: number,
): number | undefined => {
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const s = segments[i]!;
    if (ordinal >= s.startOrdinal && (s.endOrdinal === null || ordinal < s.endOrdinal)) return i;
  }
  return undefined;
};

/** Which segment is a rollout's (its thread, fork or revision id), if it is on the lineage. */
export const segmentIndexOfRollout = (lineage: ThreadLineage, rolloutId: string): number | undefined => {
  const i = lineage.segments.findIndex((s) => s.rollout.rolloutId === rolloutId);
  return i < 0 ? undefined : i;
};

/** The current file: the newest segment, whole. */
export const currentSegmentOf = (lineage: ThreadLineage): HistorySegment =>
  lineage.segments[lineage.segments.length - 1]!;
