import * as E from 'fp-ts/lib/Either.js';
import { corrupt, decodeError } from '../../domain/errors.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import type { ItemRow, LinePos } from '../../domain/index/rows.js';
import { classifyRolloutLine } from '../../domain/rollout/event.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import { itemFromLines } from '../../domain/thread/itemFromLines.js';
import { lineDecoderFor } from '../../migrations/upcast/lineDecoder.js';
import type { LineDecoder, UpcastFormat } from '../../migrations/upcast/lineDecoder.js';
import type { HistoryReadPorts } from '../ports.js';
import { stop, take } from './useCase.js';

/** Where an indexed item is, as a segment bounds it: its key line and its first range. */
export const itemPosition = (row: ItemRow, line: number): LinePos => ({
  line,
  byteOffset: row.ranges[0]?.[0] ?? 0,
  byteLength: row.ranges[0]?.[1] ?? 0,
  ordinal: row.ordinal,
});

/** The file's line decoder: the envelope codec, or the upcaster for an early rollout (as the reader decodes). */
const decoderOf = (seg: HistorySegment): LineDecoder => {
  const format = (seg.rollout.meta as { upcast_from?: unknown } | null)?.upcast_from;
  const upcast: UpcastFormat | null = format === 'envelopeLess' || format === 'recordTyped' ? { format, baseTimestamp: seg.rollout.firstLineTimestamp ?? '' } : null;
  return lineDecoderFor(seg.rollout.path, upcast);
};

/**
 * Indexed items of one segment as the API shows them: all their byte ranges read in one go (one
 * open, one pread each) and each item rendered by the same fold a full read uses. `rows` are
 * (key line, row) pairs; the items come back in the same order.
 */
export const readItems = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  seg: HistorySegment,
  rows: ReadonlyArray<readonly [number, ItemRow]>,
): Promise<ThreadItem[]> => {
  if (rows.length === 0) return [];
  const texts = await take(
    ports.readRanges(
      seg.rollout.path,
      rows.flatMap(([, r]) => r.ranges),
    ),
  );
  const decode = decoderOf(seg);
  const items: ThreadItem[] = [];
  let next = 0;
  for (const [line, row] of rows) {
    const lines = [];
    for (const [byteOffset, byteLength] of row.ranges) {
      const decoded = decode(texts[next++]!, line, byteOffset);
      if (E.isLeft(decoded)) return stop(decodeError(seg.rollout.path, line, byteOffset, decoded.left));
      lines.push({
        event: classifyRolloutLine(decoded.right),
        position: { rolloutId: seg.rollout.rolloutId, line, byteOffset, byteLength, ordinal: row.ordinal ?? undefined, seq: 0 },
      });
    }
    const item = itemFromLines(lineage.mode, lineage.itemsFromResponses, row.id, lines);
    items.push(item ?? stop(corrupt(seg.rollout.path, row.ranges[0]?.[0] ?? 0, `indexed ${row.kind} ${row.id} does not render as an item (index out of date?)`)));
  }
  return items;
};
