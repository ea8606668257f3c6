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
import { stop, take } from '../../domain/effect.js';

const KEY_SEPARATOR = '\u0000';

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
  const upcast: UpcastFormat | null =
    format === 'envelopeLess' || format === 'recordTyped'
      ? { format, baseTimestamp: seg.rollout.firstLineTimestamp ?? '' }
      : null;
  return lineDecoderFor(seg.rollout.path, upcast);
};

/**
 * Indexed items of one segment as the API shows them: all their byte ranges read in one go (one
 * open, one pread each) and each item rendered by the same fold a full read uses, or taken from
 * `ports.renderedItems` when rendered before from the same texts at the same place. `rows` are
 * (key line, row) pairs; the items come back in the same order (not to be changed: they may be
 * shared with other answers).
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
  const rendered = ports.renderedItems;
  // Everything a rendering reads besides the item's own row and texts (decoderOf, itemFromLines).
  const context =
    rendered === undefined
      ? ''
      : [
          lineage.mode,
          lineage.itemsFromResponses,
          seg.rollout.rolloutId,
          (seg.rollout.meta as { upcast_from?: unknown } | null)?.upcast_from ?? '',
          seg.rollout.firstLineTimestamp ?? '',
        ].join(KEY_SEPARATOR);
  const items: ThreadItem[] = [];
  let next = 0;
  for (const [line, row] of rows) {
    // An id holds no U+0000 (JSON escapes it; a raw one does not decode): the parts stay apart.
    const key =
      rendered === undefined
        ? undefined
        : [context, row.id, line, row.ordinal ?? '', row.ranges.join(' ')].join(KEY_SEPARATOR);
    const rowTexts = key === undefined ? [] : texts.slice(next, next + row.ranges.length);
    const known = key === undefined ? undefined : rendered!.get(key, rowTexts);
    if (known !== undefined) {
      items.push(known);
      next += row.ranges.length;
      continue;
    }
    const lines = [];
    for (const [byteOffset, byteLength] of row.ranges) {
      const decoded = decode(texts[next++]!, line, byteOffset);
      if (E.isLeft(decoded)) return stop(decodeError(seg.rollout.path, line, byteOffset, decoded.left));
      lines.push({
        event: classifyRolloutLine(decoded.right),
        position: {
          rolloutId: seg.rollout.rolloutId,
          line,
          byteOffset,
          byteLength,
          ordinal: row.ordinal ?? undefined,
          seq: 0,
        },
      });
    }
    const item =
      itemFromLines(lineage.mode, lineage.itemsFromResponses, row.id, lines) ??
      stop(
        corrupt(
          seg.rollout.path,
          row.ranges[0]?.[0] ?? 0,
          `indexed ${row.kind} ${row.id} does not render as an item (index out of date?)`,
        ),
      );
    if (key !== undefined) rendered!.set(key, rowTexts, item);
    items.push(item);
  }
  return items;
};
