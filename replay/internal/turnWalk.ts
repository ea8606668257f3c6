import type { KeyPart, LinePos, TurnRow } from '../../domain/index/rows.js';
import type { Direction } from './page.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { inSegment } from '../../domain/history/lineage.js';
import { keyPosOf } from '../../projections/turnRows.js';
import type { HistoryReadPorts } from '../ports.js';
import { lineOfOrdinal } from './lineage.js';
import { scanRowBatches } from './scanRows.js';
import { take } from '../../domain/effect.js';
import { keyText } from '../../domain/index/keyText.js';

/** Where a walk starts inside one segment: at a key line, keeping rows the filter accepts. */
export interface SegmentStart {
  readonly segment: number;
  readonly line: number | null;
  /** Rows of the start segment before (asc) / after (desc) the anchor are skipped by this test. */
  readonly keep: (pos: LinePos, line: number) => boolean;
}

export interface WalkedTurn {
  readonly segment: HistorySegment;
  readonly line: number;
  readonly row: TurnRow;
  readonly pos: LinePos;
}

/** A turn row shadowed by a newer segment that holds the same turn (Codex reads the newest). */
const shadowed = async (
  ports: HistoryReadPorts,
  newer: ReadonlyArray<HistorySegment>,
  turnId: string,
): Promise<boolean> => {
  for (const seg of newer) {
    const line = (await take(ports.index.get('turnIds', [seg.rollout.rolloutId, keyText(turnId)])))?.line;
    if (line === undefined) continue;
    const row = await take(ports.index.get('turns', [seg.rollout.rolloutId, line]));
    const pos = row ? keyPosOf(row) : null;
    if (pos && inSegment(seg, pos)) return true;
  }
  return false;
};

/** Last line below a cut segment's cut: where a newest-first walk of it begins (null: from its end). */
const lastLineBelowCut = async (ports: HistoryReadPorts, seg: HistorySegment): Promise<number | null> =>
  seg.endOrdinal === null ? null : lineOfOrdinal(ports.index, seg, seg.endOrdinal - 1);

/**
 * The visible turns of a thread in logical order (or newest first), segment by segment, from a
 * start position. Rows are fetched in small chunks, so a page costs about its own size.
 */
export async function* walkTurns(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  direction: Direction,
  start: SegmentStart | null,
): AsyncGenerator<WalkedTurn> {
  const segs = lineage.segments;
  const first = start?.segment ?? (direction === 'asc' ? 0 : segs.length - 1);
  const order: number[] = [];
  if (direction === 'asc') for (let i = first; i < segs.length; i += 1) order.push(i);
  else for (let i = first; i >= 0; i -= 1) order.push(i);
  for (const i of order) {
    const seg = segs[i]!;
    const R = seg.rollout.rolloutId;
    let fromLine = start && start.segment === i ? start.line : null;
    if (fromLine === null && direction === 'desc') fromLine = await lastLineBelowCut(ports, seg);
    const from: ReadonlyArray<KeyPart> | undefined = fromLine === null ? undefined : [R, fromLine];
    // The segments after this one, whose turns shadow its own (none for a thread's own file).
    const newer = segs.slice(i + 1);
    // A batch of rows at a time: one async step a range read, not one a row.
    rows: for await (const batch of scanRowBatches(ports.index, 'turns', [R], {
      reverse: direction === 'desc',
      ...(from ? { from } : {}),
    })) {
      for (const r of batch) {
        const row = r.value;
        const line = r.key[1];
        const pos = keyPosOf(row);
        if (pos === null) continue;
        if (!inSegment(seg, pos)) {
          if (direction === 'asc') break rows; // rows are in line order: the rest is past the cut too
          continue;
        }
        if (start && start.segment === i && !start.keep(pos, line)) continue;
        if (newer.length > 0 && (await shadowed(ports, newer, row.id))) continue;
        yield { segment: seg, line, row, pos };
      }
    }
  }
}
