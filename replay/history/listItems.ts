import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { refusedValue } from '../../domain/errors.js';
import type { ItemRow } from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { inSegment, segmentIndexOfRollout } from '../../domain/history/lineage.js';
import type { ItemPresence, ThreadItem } from '../../domain/thread/threadItem.js';
import type { HistoryReadPorts } from '../ports.js';
import { invalidCursor, parseHistoryCursor, serializeHistoryCursor } from '../internal/cursors.js';
import { paginatedCursorStart, rolloutsNumberedOtherwise } from '../internal/lineage.js';
import { itemLineOf } from '../../projections/turnRows.js';
import { openThread } from '../internal/openThread.js';
import { pageSizeOf } from '../internal/pageSize.js';
import { scanRowBatches } from '../internal/scanRows.js';
import type { Direction, PageCut } from '../internal/page.js';
import { itemPosition as posOf, readItems } from '../internal/itemContent.js';
import { pageCursors, pastAnchor } from '../internal/page.js';
import { itemLineCursor, parseItemLineCursor } from '../internal/itemLineCursor.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `thread/items/list` asks (the protocol's params). */
export type ListItemsQuery = ParamsOf<'thread/items/list'>;

export type { ItemEntry, ItemPage } from '../../protocol/items.js';
import type { ItemEntry, ItemPage } from '../../protocol/items.js';
import { anchorWithoutTurn } from '../../protocol/items.js';
import { keyText } from '../../domain/index/keyText.js';

interface Start {
  readonly segment: number;
  readonly line: number | null;
  readonly keep: (row: ItemRow, line: number) => boolean;
}

interface WalkedItem {
  readonly segment: HistorySegment;
  readonly line: number;
  readonly row: ItemRow;
}

// Codex answers a bad item anchor as invalid params (-32602), in these words (its app-server
// README, `thread/items/list`; measured: historyApi.compat.spec.ts "items anchor" steps).
const anchorMissing = (): EngineError =>
  refusedValue('cursor', 'cursor.itemId does not identify an item in the requested history scope');

/** Where a cursor (or an item anchor) puts the walk. */
const startOf = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  q: ListItemsQuery,
  direction: Direction,
): Promise<Start | null> => {
  const cursor = q.cursor;
  if (cursor === null || cursor === undefined) return null;
  if (typeof cursor !== 'string') {
    const turnId = q.turnId ?? '';
    const withoutTurn = anchorWithoutTurn(q);
    if (withoutTurn !== undefined) return stop(withoutTurn);
    if (cursor.itemId === '') return stop(anchorMissing());
    for (let segment = 0; segment < lineage.segments.length; segment += 1) {
      const seg = lineage.segments[segment]!;
      const anchor = itemLineOf(
        await take(ports.index.get('turnIds', [seg.rollout.rolloutId, keyText(turnId)])),
        cursor.itemId,
      );
      if (anchor === undefined) continue;
      const row = await take(ports.index.get('items', [seg.rollout.rolloutId, anchor]));
      if (row === undefined || !inSegment(seg, posOf(row, anchor))) continue;
      return { segment, line: anchor, keep: (_r, l) => pastAnchor(direction, false, l, anchor) };
    }
    return stop(anchorMissing());
  }
  if (lineage.mode === 'paginated') {
    const c = await take(parseHistoryCursor(cursor, lineage.thread.id, 'itemsByCreatedAtOrdinal'));
    const start = await paginatedCursorStart(ports.index, lineage.segments, c, direction);
    return { segment: start.segment, line: start.line, keep: (r, line) => start.keep(r.ordinal, line) };
  }
  const c = await take(parseItemLineCursor(cursor, lineage.thread.id));
  const segment = segmentIndexOfRollout(lineage, c.rolloutId) ?? stop(invalidCursor(cursor));
  const anchor = c.line;
  return { segment, line: anchor, keep: (_r, l) => pastAnchor(direction, c.includeAnchor, l, anchor) };
};

/**
 * Item rows of a thread (or of one turn) in rollout order or newest first, from a start; a batch
 * per range read (of a turn's rows, per `wanted` rows read). `wanted`: the rows a page takes if all
 * are kept (its first range read).
 */
async function* walkItems(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  direction: Direction,
  start: Start | null,
  turnId: string | null,
  wanted: number,
): AsyncGenerator<ReadonlyArray<WalkedItem>> {
  const segs = lineage.segments;
  const first = start?.segment ?? (direction === 'asc' ? 0 : segs.length - 1);
  for (let i = first; direction === 'asc' ? i < segs.length : i >= 0; i += direction === 'asc' ? 1 : -1) {
    const seg = segs[i]!;
    const R = seg.rollout.rolloutId;
    const keep = (row: ItemRow, line: number): boolean =>
      inSegment(seg, posOf(row, line)) && (!start || start.segment !== i || start.keep(row, line));
    if (turnId !== null) {
      const lines = [...((await take(ports.index.get('turnIds', [R, keyText(turnId)])))?.itemLines ?? [])].sort(
        (a, b) => (direction === 'asc' ? a - b : b - a),
      );
      let batch: WalkedItem[] = [];
      for (const line of lines) {
        const row = await take(ports.index.get('items', [R, line]));
        if (row !== undefined && keep(row, line)) batch.push({ segment: seg, line, row });
        if (batch.length === wanted) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      continue;
    }
    const fromLine = start && start.segment === i ? start.line : null;
    for await (const rows of scanRowBatches(
      ports.index,
      'items',
      [R],
      { reverse: direction === 'desc', ...(fromLine === null ? {} : { from: [R, fromLine] }) },
      wanted,
    )) {
      const batch: WalkedItem[] = [];
      let past = false;
      for (const r of rows) {
        const line = r.key[1];
        if (!inSegment(seg, posOf(r.value, line))) {
          // Oldest first, the segment's rows end here; newest first, its rows come later.
          if (direction === 'asc') {
            past = true;
            break;
          }
          continue;
        }
        if (keep(r.value, line)) batch.push({ segment: seg, line, row: r.value });
      }
      if (batch.length > 0) yield batch;
      if (past) break;
    }
  }
}

/** Read the walked items of each segment in one batch of range reads, into `read`. */
const readWalked = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  walked: ReadonlyArray<WalkedItem>,
  read: Map<WalkedItem, ThreadItem>,
): Promise<void> => {
  for (const seg of new Set(walked.map((w) => w.segment))) {
    const rows = walked.filter((w) => w.segment === seg);
    const items = await readItems(
      ports,
      lineage,
      seg,
      rows.map((w) => [w.line, w.row] as const),
    );
    rows.forEach((w, i) => read.set(w, items[i]!));
  }
};

/**
 * The page: the first `size` walked items the reader has (`presence`; all when undefined), and
 * whether more follow (one more looked for, as `cutPage` does). An item of a kind the reader may
 * lack is read to judge it, and kept in `read` so the page does not read it again. Judged a batch
 * at a time: as many walked items as are still wanted are taken, and those of such a kind read
 * together (one open per segment, not one per item) with the batch's items sure to be on the page;
 * each batch holds no item the page would not have read one by one, so a bad line past the page
 * fails no more pages.
 */
const presentPage = async (
  walk: AsyncGenerator<ReadonlyArray<WalkedItem>>,
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  presence: ItemPresence | undefined,
  read: Map<WalkedItem, ThreadItem>,
  size: number,
): Promise<PageCut<WalkedItem>> => {
  const wanted = size + 1;
  const rows: WalkedItem[] = [];
  // The walk's batch being taken, and how far.
  let walked: ReadonlyArray<WalkedItem> = [];
  let at = 0;
  try {
    for (let ended = false; !ended && rows.length < wanted;) {
      const batch: WalkedItem[] = [];
      while (batch.length < wanted - rows.length) {
        if (at < walked.length) {
          batch.push(walked[at++]!);
          continue;
        }
        const next = await walk.next();
        if (next.done === true) {
          ended = true;
          break;
        }
        walked = next.value;
        at = 0;
      }
      if (presence === undefined) {
        for (const w of batch) rows.push(w);
        continue;
      }
      // Read with them, in the same reads: the items of other kinds this batch surely puts on the
      // page (one at batch place i < room follows at most i kept ones), which the page reads anyway.
      const room = size - rows.length;
      await readWalked(
        ports,
        lineage,
        batch.filter((w, i) => i < room || presence.kinds.has(w.row.kind)),
        read,
      );
      for (const w of batch) {
        const item = read.get(w);
        if (item !== undefined && !presence.has(item)) read.delete(w);
        else rows.push(w);
      }
    }
  } finally {
    await walk.return(undefined);
  }
  return { rows: rows.slice(0, size), hasMore: rows.length > size };
};

/** `otherwise`: the rollouts numbered otherwise, whose cursors carry their anchor's line. */
const cursorOf = (
  lineage: ThreadLineage,
  otherwise: ReadonlySet<string>,
  w: WalkedItem,
  includeAnchor: boolean,
): string =>
  lineage.mode === 'paginated' && w.row.ordinal !== null
    ? serializeHistoryCursor(
        lineage.thread.id,
        'itemsByCreatedAtOrdinal',
        w.row.ordinal,
        includeAnchor,
        otherwise.has(w.segment.rollout.rolloutId) ? w.line : undefined,
      )
    : itemLineCursor(lineage.thread.id, w.segment.rollout.rolloutId, w.line, includeAnchor);

/**
 * The item with its output left out when Codex defers it (see listItems); undefined when it is not
 * deferred. `untimedKept`: an item whose completion has no time keeps its output (a paginated thread's).
 */
const deferredOutputOf = (
  item: ThreadItem,
  commands: boolean,
  mcp: boolean,
  untimedKept: boolean,
): ThreadItem | undefined => {
  if (untimedKept && item.completedAtMs === null) return undefined;
  if (
    commands &&
    item.type === 'commandExecution' &&
    item.status === 'completed' &&
    // Measured on 0.169.0 (fuzzer `--replay 20261200:34:0:2:1`): an exit code absent, null or -1 keeps the output.
    item.exitCode === 0 &&
    (item.aggregatedOutput ?? '') !== ''
  )
    return { ...item, aggregatedOutput: null };
  // An MCP App's call (one naming its UI resource) keeps its result: measured on 0.169.0 (items
  // scenario: `lookup`, read-only and naming a resource, kept; `spell`, read-only only, deferred).
  if (
    mcp &&
    item.type === 'mcpToolCall' &&
    item.status === 'completed' &&
    item.result !== null &&
    item.mcpAppResourceUri === undefined
  ) {
    const content = item.result['content'];
    const plainText =
      Array.isArray(content) &&
      content.length > 0 &&
      content.every((c) => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === 'text') &&
      item.result['structuredContent'] === null;
    if (plainText) return { ...item, result: { ...item.result, content: [] } };
  }
  return undefined;
};

/**
 * `thread/items/list`: one page of items, oldest first unless asked otherwise, from the index
 * and one pread per item. Legacy threads are served too (ids `item-N`), which Codex refuses.
 * `presence`: the items the asking Codex version has (its pages count only those).
 */
export const listItems = (
  ports: HistoryReadPorts,
  q: ListItemsQuery,
  presence?: ItemPresence,
): TE.TaskEither<EngineError, ItemPage> =>
  useCase(async () => {
    const lineage = await openThread(ports, q.threadId, {
      refusedMetaAs: 'thread/items/list',
      paginatedReadAs: 'thread/items/list',
    });
    const direction: Direction = q.sortDirection ?? 'asc';
    const size = pageSizeOf(q.limit);
    const start = await startOf(ports, lineage, q, direction);
    // The page and the row that says more follow, in one range read when the segment holds them.
    const items = new Map<WalkedItem, ThreadItem>();
    const cut = await presentPage(
      walkItems(ports, lineage, direction, start, q.turnId ?? null, size + 1),
      ports,
      lineage,
      presence,
      items,
      size,
    );
    const page = cut.rows;
    // As Codex: outputs are deferred only on a page of one turn, and only a successful command's
    // nonempty output or a successful MCP call's plain-text result (no structured content, no app
    // resource); in a paginated thread, only of an item whose completion has its time (measured on
    // 0.169.0: an `item_completed` without `completed_at_ms` keeps its output, fuzzer
    // `--replay 20261161:143:0:1:0:1`, a command and an MCP call alike).
    const oneTurn = q.turnId !== null && q.turnId !== undefined;
    const deferCommands = oneTurn && q.deferOutput?.commandExecution === true;
    const deferMcp = oneTurn && q.deferOutput?.mcpToolCall === true;
    const untimedKept = lineage.thread.historyMode === 'paginated';
    // One batch of range reads per segment the page touches (a page is usually one segment).
    await readWalked(
      ports,
      lineage,
      page.filter((w) => !items.has(w)),
      items,
    );
    const data: ItemEntry[] = page.map((w) => {
      const item = items.get(w)!;
      const deferred = deferredOutputOf(item, deferCommands, deferMcp, untimedKept);
      return {
        turnId: w.row.turnId,
        item: deferred ?? item,
        ...(deferred ? { outputDeferred: true as const } : {}),
        startedAtMs: item.startedAtMs,
        completedAtMs: item.completedAtMs,
      };
    });
    const otherwise = await rolloutsNumberedOtherwise(ports.index, page);
    return { data, ...pageCursors(cut, (w, include) => cursorOf(lineage, otherwise, w, include)) };
  });
