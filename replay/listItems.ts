import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import type { ItemRow, LinePos } from '../domain/index/rows.js';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import type { HistoryReadPorts } from './ports.js';
import type { LineageSegment, ThreadLineage } from './internal/lineage.js';
import { inSegment, segmentIndexForOrdinal } from './internal/lineage.js';
import { invalidCursor, parseHistoryCursor, serializeHistoryCursor } from './internal/cursors.js';
import { openThread } from './internal/openThread.js';
import { pageSizeOf } from './internal/pageSize.js';
import { isScanError, scanRows } from './internal/scanRows.js';
import type { Direction } from './internal/turnWalk.js';
import { readItems } from './internal/itemContent.js';
import { cutPage, pageCursors, pastAnchor } from './internal/page.js';
import { itemLineCursor, parseItemLineCursor } from './internal/itemLineCursor.js';

export type ItemsCursor = string | { readonly type: 'item'; readonly itemId: string };

export interface ListItemsQuery {
  readonly threadId: string;
  readonly turnId?: string | null | undefined;
  readonly cursor?: ItemsCursor | null | undefined;
  readonly limit?: number | null | undefined;
  readonly sortDirection?: Direction | null | undefined;
  readonly deferOutput?: { readonly commandExecution?: boolean | null | undefined } | null | undefined;
}

export interface ItemEntry {
  readonly turnId: string;
  readonly item: ThreadItem;
  readonly outputDeferred?: true;
  readonly startedAtMs: number | null;
  readonly completedAtMs: number | null;
}

export interface ItemPage {
  readonly data: ItemEntry[];
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

interface Start {
  readonly segment: number;
  readonly line: number | null;
  readonly keep: (row: ItemRow, line: number) => boolean;
}

interface WalkedItem {
  readonly segment: LineageSegment;
  readonly line: number;
  readonly row: ItemRow;
}

const posOf = (row: ItemRow, line: number): LinePos => ({ line, byteOffset: row.ranges[0]?.[0] ?? 0, byteLength: row.ranges[0]?.[1] ?? 0, ordinal: row.ordinal });

const anchorMissing = (): EngineError => rejected('cursor.itemId does not identify an item in the requested history scope');

/** Where a cursor (or an item anchor) puts the walk. */
const startOf = async (ports: HistoryReadPorts, lineage: ThreadLineage, q: ListItemsQuery, direction: Direction): Promise<E.Either<EngineError, Start | null>> => {
  const cursor = q.cursor;
  if (cursor === null || cursor === undefined) return E.right(null);
  if (typeof cursor !== 'string') {
    const turnId = q.turnId ?? '';
    if (turnId === '') return E.left(rejected('turnId is required when cursor is an item anchor'));
    if (cursor.itemId === '') return E.left(anchorMissing());
    for (let segment = 0; segment < lineage.segments.length; segment += 1) {
      const seg = lineage.segments[segment]!;
      const line = await ports.index.get('itemIds', [seg.rollout.rolloutId, turnId, cursor.itemId])();
      if (E.isLeft(line)) return line;
      if (line.right === undefined) continue;
      const row = await ports.index.get('items', [seg.rollout.rolloutId, line.right])();
      if (E.isLeft(row)) return row;
      if (row.right === undefined || !inSegment(seg, posOf(row.right, line.right))) continue;
      const anchor = line.right;
      return E.right({ segment, line: anchor, keep: (_r, l) => pastAnchor(direction, false, l, anchor) });
    }
    return E.left(anchorMissing());
  }
  if (lineage.mode === 'paginated') {
    const c = parseHistoryCursor(cursor, lineage.thread.id, 'itemsByCreatedAtOrdinal');
    if (E.isLeft(c)) return c;
    const { rolloutOrdinal, includeAnchor } = c.right;
    const segment = segmentIndexForOrdinal(lineage.segments, rolloutOrdinal);
    if (segment === undefined) return E.left(invalidCursor('position outside thread lineage'));
    const line = await ports.index.get('ordinals', [lineage.segments[segment]!.rollout.rolloutId, rolloutOrdinal])();
    if (E.isLeft(line)) return line;
    return E.right({ segment, line: line.right ?? null, keep: (r) => r.ordinal !== null && pastAnchor(direction, includeAnchor, r.ordinal, rolloutOrdinal) });
  }
  const c = parseItemLineCursor(cursor, lineage.thread.id);
  if (E.isLeft(c)) return c;
  const segment = lineage.segments.findIndex((s) => s.rollout.rolloutId === c.right.rolloutId);
  if (segment < 0) return E.left(invalidCursor(cursor));
  const anchor = c.right.line;
  return E.right({ segment, line: anchor, keep: (_r, l) => pastAnchor(direction, c.right.includeAnchor, l, anchor) });
};

/** Item rows of a thread (or of one turn) in rollout order or newest first, from a start. */
async function* walkItems(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  direction: Direction,
  start: Start | null,
  turnId: string | null,
): AsyncGenerator<WalkedItem | { readonly error: EngineError }> {
  const segs = lineage.segments;
  const first = start?.segment ?? (direction === 'asc' ? 0 : segs.length - 1);
  for (let i = first; direction === 'asc' ? i < segs.length : i >= 0; i += direction === 'asc' ? 1 : -1) {
    const seg = segs[i]!;
    const R = seg.rollout.rolloutId;
    const keep = (row: ItemRow, line: number): boolean => inSegment(seg, posOf(row, line)) && (!start || start.segment !== i || start.keep(row, line));
    if (turnId !== null) {
      const ids = await ports.index.range('itemIds', [R, turnId])();
      if (E.isLeft(ids)) {
        yield { error: ids.left };
        return;
      }
      const lines = ids.right.map((r) => r.value).sort((a, b) => (direction === 'asc' ? a - b : b - a));
      for (const line of lines) {
        const row = await ports.index.get('items', [R, line])();
        if (E.isLeft(row)) {
          yield { error: row.left };
          return;
        }
        if (row.right !== undefined && keep(row.right, line)) yield { segment: seg, line, row: row.right };
      }
      continue;
    }
    const fromLine = start && start.segment === i ? start.line : null;
    const scan = scanRows(ports.index, 'items', [R], { reverse: direction === 'desc', ...(fromLine === null ? {} : { from: [R, fromLine] }) });
    for await (const r of scan) {
      if (isScanError(r)) {
        yield r;
        return;
      }
      const line = r.key[1];
      if (!inSegment(seg, posOf(r.value, line))) {
        if (direction === 'asc') break;
        continue;
      }
      if (keep(r.value, line)) yield { segment: seg, line, row: r.value };
    }
  }
}

const cursorOf = (lineage: ThreadLineage, w: WalkedItem, includeAnchor: boolean): string =>
  lineage.mode === 'paginated' && w.row.ordinal !== null
    ? serializeHistoryCursor(lineage.thread.id, 'itemsByCreatedAtOrdinal', w.row.ordinal, includeAnchor)
    : itemLineCursor(lineage.thread.id, w.segment.rollout.rolloutId, w.line, includeAnchor);

/**
 * `thread/items/list`: one page of items, oldest first unless asked otherwise, from the index
 * and one pread per item. Legacy threads are served too (ids `item-N`), which Codex refuses.
 */
export const listItems = (ports: HistoryReadPorts, q: ListItemsQuery): TE.TaskEither<EngineError, ItemPage> => async () => {
  const opened = await openThread(ports, q.threadId);
  if (E.isLeft(opened)) return opened;
  const lineage = opened.right;
  const direction: Direction = q.sortDirection ?? 'asc';
  const size = pageSizeOf(q.limit);
  const start = await startOf(ports, lineage, q, direction);
  if (E.isLeft(start)) return start;
  const cut = await cutPage(walkItems(ports, lineage, direction, start.right, q.turnId ?? null), size);
  if (E.isLeft(cut)) return cut;
  const page = cut.right.rows;
  const deferCommands = q.deferOutput?.commandExecution === true;
  // One batch of range reads per segment the page touches (a page is usually one segment).
  const items = new Map<WalkedItem, ThreadItem>();
  for (const seg of new Set(page.map((w) => w.segment))) {
    const rows = page.filter((w) => w.segment === seg);
    const read = await readItems(ports, lineage, seg, rows.map((w) => [w.line, w.row] as const));
    if (E.isLeft(read)) return read;
    rows.forEach((w, i) => items.set(w, read.right[i]!));
  }
  const data: ItemEntry[] = page.map((w) => {
    const item = items.get(w)!;
    const deferred = deferCommands && item.type === 'commandExecution';
    return {
      turnId: w.row.turnId,
      item: deferred ? ({ ...item, aggregatedOutput: null } as ThreadItem) : item,
      ...(deferred ? { outputDeferred: true as const } : {}),
      startedAtMs: item.startedAtMs,
      completedAtMs: item.completedAtMs,
    };
  });
  return E.right({ data, ...pageCursors(cut.right, (w, include) => cursorOf(lineage, w, include)) });
};
