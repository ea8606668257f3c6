import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { KeyPart, LinePos, TurnRow } from '../../domain/index/rows.js';
import type { HistoryReadPorts } from '../ports.js';
import type { LineageSegment, ThreadLineage } from './lineage.js';
import { inSegment } from './lineage.js';
import { isScanError, scanRows } from './scanRows.js';
import { keyPosOf } from '../../projections/turnRows.js';

export type Direction = 'asc' | 'desc';

/** Where a walk starts inside one segment: at a key line, keeping rows the filter accepts. */
export interface SegmentStart {
  readonly segment: number;
  readonly line: number | null;
  /** Rows of the start segment before (asc) / after (desc) the anchor are skipped by this test. */
  readonly keep: (pos: LinePos, line: number) => boolean;
}

export interface WalkedTurn {
  readonly segment: LineageSegment;
  readonly line: number;
  readonly row: TurnRow;
  readonly pos: LinePos;
}

/** A turn row shadowed by a newer segment that holds the same turn (Codex reads the newest). */
const shadowed = async (ports: HistoryReadPorts, newer: ReadonlyArray<LineageSegment>, turnId: string): Promise<E.Either<EngineError, boolean>> => {
  for (const seg of newer) {
    const line = await ports.index.get('turnIds', [seg.rollout.rolloutId, turnId])();
    if (E.isLeft(line)) return line;
    if (line.right === undefined) continue;
    const row = await ports.index.get('turns', [seg.rollout.rolloutId, line.right])();
    if (E.isLeft(row)) return row;
    const pos = row.right ? keyPosOf(row.right) : null;
    if (pos && inSegment(seg, pos)) return E.right(true);
  }
  return E.right(false);
};

/** Last key line of a cut segment: where a newest-first walk of it begins. */
const lastLineBelowCut = async (ports: HistoryReadPorts, seg: LineageSegment): Promise<E.Either<EngineError, number | null>> => {
  if (seg.endOrdinal === null) return E.right(null);
  const below = await ports.index.range('ordinals', [seg.rollout.rolloutId], { reverse: true, from: [seg.rollout.rolloutId, seg.endOrdinal - 1], limit: 1 })();
  if (E.isLeft(below)) return below;
  return E.right(below.right[0]?.value ?? null);
};

/**
 * The visible turns of a thread in logical order (or newest first), segment by segment, from a
 * start position. Rows are fetched in small chunks, so a page costs about its own size.
 */
export async function* walkTurns(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  direction: Direction,
  start: SegmentStart | null,
): AsyncGenerator<WalkedTurn | { readonly error: EngineError }> {
  const segs = lineage.segments;
  const first = start?.segment ?? (direction === 'asc' ? 0 : segs.length - 1);
  const order: number[] = [];
  if (direction === 'asc') for (let i = first; i < segs.length; i += 1) order.push(i);
  else for (let i = first; i >= 0; i -= 1) order.push(i);
  for (const i of order) {
    const seg = segs[i]!;
    const R = seg.rollout.rolloutId;
    let fromLine = start && start.segment === i ? start.line : null;
    if (fromLine === null && direction === 'desc') {
      const last = await lastLineBelowCut(ports, seg);
      if (E.isLeft(last)) {
        yield { error: last.left };
        return;
      }
      fromLine = last.right;
    }
    const from: ReadonlyArray<KeyPart> | undefined = fromLine === null ? undefined : [R, fromLine];
    for await (const r of scanRows(ports.index, 'turns', [R], { reverse: direction === 'desc', ...(from ? { from } : {}) })) {
      if (isScanError(r)) {
        yield r;
        return;
      }
      const row = r.value;
      const line = r.key[1];
      const pos = keyPosOf(row);
      if (pos === null) continue;
      if (!inSegment(seg, pos)) {
        if (direction === 'asc') break; // rows are in line order: the rest is past the cut too
        continue;
      }
      if (start && start.segment === i && !start.keep(pos, line)) continue;
      const hidden = await shadowed(ports, segs.slice(i + 1), row.id);
      if (E.isLeft(hidden)) {
        yield { error: hidden.left };
        return;
      }
      if (hidden.right) continue;
      yield { segment: seg, line, row, pos };
    }
  }
}
