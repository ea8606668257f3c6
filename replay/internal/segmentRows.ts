// The item rows of a segment's turns for a whole read (split from fullTurns.ts, which renders them).
import type { ItemRow, TurnRow } from '../../domain/index/rows.js';
import type { HistorySegment } from '../../domain/history/lineage.js';
import type { HistoryReadPorts } from '../ports.js';
import { scanRows } from './scanRows.js';
import { take } from '../../domain/effect.js';
import { itemInSegment, rowsAt } from './turnView.js';
import { keyText } from '../../domain/index/keyText.js';

/**
 * The item rows of a segment's turns, from one forward scan of its `items` table merged with the
 * turns by turn id (a turn has all its rows once the scan is past its `lastItemLine`); the rows of
 * turns not reached yet wait in memory.
 */
export const segmentRows = (ports: HistoryReadPorts) => {
  let scan: AsyncGenerator<{ readonly key: readonly [string, number]; readonly value: ItemRow }> | undefined;
  let scannedPast = -1;
  const waiting = new Map<string, Array<[number, ItemRow]>>();
  /** Turns of the segment written from their renderings: their item rows, when scanned, are passed over. */
  const rendered = new Set<string>();
  return {
    /** A new segment (or the end): the scan is closed and begins again. */
    restart: async (): Promise<void> => {
      await scan?.return(undefined);
      scan = undefined;
      scannedPast = -1;
      waiting.clear();
      rendered.clear();
    },
    passOver: (turnId: string): void => {
      rendered.add(turnId);
      waiting.delete(turnId);
    },
    of: async (seg: HistorySegment, row: TurnRow): Promise<Array<[number, ItemRow]>> => {
      const R = seg.rollout.rolloutId;
      // After turns written from renderings the scan starts at this turn's first item (the rows
      // before it are theirs, or a later turn's: looked up by id below); else at the file's start.
      const late = rendered.size > 0;
      if (scan === undefined) {
        const from = late ? row.firstItem?.line : undefined;
        scan = scanRows(
          ports.index,
          'items',
          [R],
          { reverse: false, ...(from === undefined ? {} : { from: [R, from] }) },
          256,
        );
        scannedPast = from === undefined ? -1 : from - 1;
      }
      const last = row.lastItemLine;
      while (last !== null && scannedPast < last) {
        const r = await scan.next();
        if (r.done === true) {
          scannedPast = Number.POSITIVE_INFINITY;
          break;
        }
        const [, line] = r.value.key;
        scannedPast = line;
        if (!itemInSegment(seg, line, r.value.value) || rendered.has(r.value.value.turnId)) continue;
        const rows = waiting.get(r.value.value.turnId);
        if (rows) rows.push([line, r.value.value]);
        else waiting.set(r.value.value.turnId, [[line, r.value.value]]);
      }
      const rows = waiting.get(row.id) ?? [];
      waiting.delete(row.id);
      // A scan begun late may have started past some of them (only an uncut segment has renderings: every item of the turn is in it).
      if (late && rows.length !== row.itemCount)
        return rowsAt(ports, R, (await take(ports.index.get('turnIds', [R, keyText(row.id)])))?.itemLines ?? []);
      return rows;
    },
  };
};
