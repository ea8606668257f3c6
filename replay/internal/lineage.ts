import { notFound } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { RowOf, TurnRow } from '../../domain/index/rows.js';
import type { HistoryPoint, TurnRef } from '../../domain/history/cut.js';
import { hopOfRow } from '../../domain/history/historyBase.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import {
  currentSegmentOf,
  inSegment,
  lineEndOf,
  lineageOf,
  segmentIndexForOrdinal,
} from '../../domain/history/lineage.js';
import { invalidCursor } from './cursors.js';
import { pastAnchor } from './page.js';
import type { Direction } from './page.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';
import { keyPosOf } from '../../projections/turnRows.js';
import { stop, take } from '../../domain/effect.js';
import { keyText } from '../../domain/index/keyText.js';

/**
 * A thread's lineage from the index (the thread must be indexed: callers refresh it first): its
 * current history, or the one `rolloutId` (one of its files) holds. Undefined when the index has
 * no such thread or file. Every lookup here and below is a key get or a short range scan, so a
 * 1 GB thread costs what a small one does.
 */
export const loadLineage = async (
  index: IndexStore,
  threadId: string,
  rolloutId?: string,
): Promise<ThreadLineage | undefined> => {
  const thread = await take(index.get('threads', [threadId]));
  if (thread === undefined) return undefined;
  const current = await take(index.get('rollouts', [rolloutId ?? thread.rolloutId]));
  if (current === undefined) return undefined;
  const walked = await take(
    walkHistoryAsync(current, current.rolloutId, hopOfRow, (id) => index.get('rollouts', [id])()),
  );
  return take(lineageOf(thread, current, walked));
};

/**
 * The line of a segment's row (turn key or item) with a paginated ordinal: `startOrdinal + line`
 * as Codex numbers lines, unless the file has rows numbered otherwise (its sparse `ordinals`
 * rows); then the row named there, or null (the caller scans from the segment's start). The line
 * may hold no row: a range scan from it starts at the next one.
 */
export const lineOfOrdinal = async (
  index: IndexStore,
  seg: HistorySegment,
  ordinal: number,
): Promise<number | null> => {
  const off = await take(index.get('ordinals', [seg.rollout.rolloutId, ordinal]));
  if (off !== undefined) return off;
  return (await numberedOtherwise(index, seg.rollout.rolloutId)) ? null : Math.max(0, ordinal - seg.startOrdinal);
};

/**
 * Does the segment's file have rows whose ordinal is not `startOrdinal + line` (its sparse
 * `ordinals` rows)? Then an ordinal may name several lines (repeated by two writers' counters)
 * and may not follow the lines' order: walks through it compare lines, its cursors carry one.
 */
export const numberedOtherwise = async (index: IndexStore, rolloutId: string): Promise<boolean> =>
  (await take(index.range('ordinals', [rolloutId], { limit: 1 }))).length > 0;

/** The line a cursor anchored at `line` of a rollout carries: only in a file numbered otherwise (else Codex's cursor, without one). */
export const cursorLine = async (index: IndexStore, rolloutId: string, line: number): Promise<number | undefined> =>
  (await numberedOtherwise(index, rolloutId)) ? line : undefined;

/** The rollouts numbered otherwise among the segments of a page's rows (their cursors carry a line). */
export const rolloutsNumberedOtherwise = async (
  index: IndexStore,
  rows: ReadonlyArray<{ readonly segment: HistorySegment }>,
): Promise<ReadonlySet<string>> => {
  const out = new Set<string>();
  for (const seg of new Set(rows.map((r) => r.segment)))
    if (await numberedOtherwise(index, seg.rollout.rolloutId)) out.add(seg.rollout.rolloutId);
  return out;
};

/**
 * Where a paginated cursor's walk starts: its segment, the line to start from, and which rows it
 * keeps (given a row's ordinal and line) — by the cursor's line when it carries one, else by the
 * line its ordinal names, else (a file numbered otherwise, an ordinal no row has) from the
 * segment's start by ordinal. One rule for turn and item cursors.
 */
export const paginatedCursorStart = async (
  index: IndexStore,
  segments: ReadonlyArray<HistorySegment>,
  cursor: { readonly rolloutOrdinal: number; readonly rolloutLine?: number; readonly includeAnchor: boolean },
  direction: Direction,
): Promise<{
  readonly segment: number;
  readonly line: number | null;
  readonly keep: (ordinal: number | null, line: number) => boolean;
}> => {
  const segment =
    segmentIndexForOrdinal(segments, cursor.rolloutOrdinal) ?? stop(invalidCursor('position outside thread lineage'));
  const line = cursor.rolloutLine ?? (await lineOfOrdinal(index, segments[segment]!, cursor.rolloutOrdinal));
  return {
    segment,
    line,
    keep: (ordinal, rowLine) =>
      line !== null
        ? pastAnchor(direction, cursor.includeAnchor, rowLine, line)
        : ordinal !== null && pastAnchor(direction, cursor.includeAnchor, ordinal, cursor.rolloutOrdinal),
  };
};

/** `loadLineage` for the mutations, which need the thread: NotFound when the index has none. */
export const lineageToChange = async (
  index: IndexStore,
  threadId: string,
  rolloutId?: string,
): Promise<ThreadLineage> => (await loadLineage(index, threadId, rolloutId)) ?? stop(notFound('thread', threadId));

/** The end of the history: just past the current file's last indexed line (where the next append goes). */
export const historyEnd = async (index: IndexStore, lineage: ThreadLineage): Promise<HistoryPoint> => {
  const s = currentSegmentOf(lineage);
  const cp =
    (await take(index.get('files', [s.rollout.path]))) ?? stop(notFound('indexed rollout file', s.rollout.path));
  return {
    rolloutId: s.rollout.rolloutId,
    line: cp.line,
    byteOffset: cp.byteOffset,
    ordinal: lineage.mode === 'paginated' ? s.startOrdinal + cp.line : null,
  };
};

/** A visible turn as far as a cut needs it: the line that orders it. */
const turnRef = (s: HistorySegment, t: TurnRow, keyLine: number): TurnRef => {
  const a = keyPosOf(t);
  return {
    id: t.id,
    rootTurnId: t.rootTurnId,
    status: t.status,
    startedAt: t.startedAt,
    anchor: {
      rolloutId: s.rollout.rolloutId,
      line: a?.line ?? keyLine,
      byteOffset: a?.byteOffset ?? 0,
      ordinal: a?.ordinal ?? null,
    },
  };
};

const visible = (s: HistorySegment, t: TurnRow): boolean => {
  const pos = keyPosOf(t);
  return pos !== null && inSegment(s, pos);
};

export interface FoundTurn {
  readonly segment: number;
  readonly keyLine: number;
  readonly ref: TurnRef;
}

/** A visible turn by id (the newest segment holding it wins). */
export const findTurn = async (
  index: IndexStore,
  lineage: ThreadLineage,
  turnId: string,
): Promise<FoundTurn | undefined> => {
  for (let i = lineage.segments.length - 1; i >= 0; i--) {
    const s = lineage.segments[i]!;
    const keyLine = (await take(index.get('turnIds', [s.rollout.rolloutId, keyText(turnId)])))?.line;
    if (keyLine === undefined) continue;
    const t = await take(index.get('turns', [s.rollout.rolloutId, keyLine]));
    if (t !== undefined && visible(s, t)) return { segment: i, keyLine, ref: turnRef(s, t, keyLine) };
  }
  return undefined;
};

/** The first visible turn after the one at (`segment`, `keyLine`). */
export const nextTurn = async (
  index: IndexStore,
  lineage: ThreadLineage,
  segment: number,
  keyLine: number,
): Promise<TurnRef | undefined> => {
  for (let i = segment; i < lineage.segments.length; i++) {
    const s = lineage.segments[i]!;
    const R = s.rollout.rolloutId;
    const r = (
      await take(index.range('turns', [R], i === segment ? { after: [R, keyLine], limit: 1 } : { limit: 1 }))
    )[0];
    if (r !== undefined && visible(s, r.value)) return turnRef(s, r.value, r.key[1]);
  }
  return undefined;
};

/** The last `n` visible turns, oldest first. */
export const lastTurns = async (index: IndexStore, lineage: ThreadLineage, n: number): Promise<TurnRef[]> => {
  const out: TurnRef[] = [];
  for (let i = lineage.segments.length - 1; i >= 0 && out.length < n; i--) {
    const s = lineage.segments[i]!;
    const R = s.rollout.rolloutId;
    const rows = await take(
      index.range('turns', [R], { reverse: true, after: [R, lineEndOf(s)], limit: n - out.length }),
    );
    for (const r of rows) if (visible(s, r.value)) out.push(turnRef(s, r.value, r.key[1]));
  }
  return out.reverse();
};

/** The last row of a per-line table (`settingsLines`, `tokenCounts`, `items`) below the history's end, or below a line of one segment. */
export const lastRowBefore = async <T extends 'settingsLines' | 'tokenCounts' | 'items'>(
  index: IndexStore,
  lineage: ThreadLineage,
  table: T,
  end?: { readonly segment: number; readonly line: number },
): Promise<{ readonly segment: HistorySegment; readonly line: number; readonly value: RowOf<T> } | undefined> => {
  const from = end?.segment ?? lineage.segments.length - 1;
  for (let i = from; i >= 0; i--) {
    const s = lineage.segments[i]!;
    const R = s.rollout.rolloutId;
    const bound = i === from && end !== undefined ? Math.min(end.line, lineEndOf(s)) : lineEndOf(s);
    const r = (await take(index.range(table, [R], { reverse: true, after: [R, bound], limit: 1 })))[0];
    if (r !== undefined) return { segment: s, line: r.key[1] as number, value: r.value };
  }
  return undefined;
};
