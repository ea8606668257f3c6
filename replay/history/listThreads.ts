import { pathKey } from '../../domain/thread/pathKey.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ListOrder } from '../../domain/ports.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import { asStateDbRow, threadFromRow } from '../../domain/thread/threadFromRow.js';
import { fileNameTimestampOf } from '../../domain/rollout/rolloutFile.js';
import type { HostPaths } from '../../domain/thread/hostPath.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ReadState } from '../internal/readState.js';
import { hasReadState, readStateOf } from '../internal/readState.js';
import type { ThreadListCursor, ThreadSortKey } from '../internal/threadListCursor.js';
import {
  backwardsThreadCursor,
  cursorWalkStart,
  inThreadOrder,
  nextThreadCursor,
  parseThreadListCursor,
  pastCursor,
  timeBefore,
} from '../internal/threadListCursor.js';
import type { ThreadCursorMethod } from '../internal/threadListCursor.js';
import { indexWriteMark } from '../internal/indexWriteMark.js';
import { keepAnswer, keptAnswer } from '../internal/listingMemo.js';
import { scanRows } from '../internal/scanRows.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { sourceKindsOf } from '../internal/sourceKinds.js';
import type { ThreadSourceKind } from '../internal/sourceKinds.js';

export type { ListRequest, ListThreadsQuery } from '../internal/listRequest.js';
export {
  DEFAULT_THREAD_LIST_LIMIT,
  DEFAULT_THREAD_SORT_KEY,
  listRequestOf,
  MAX_THREAD_LIST_LIMIT,
} from '../internal/listRequest.js';
import type { ListThreadsQuery } from '../internal/listRequest.js';
import { listRefusal, listRequestOf, listsNothing, POST_FILTERED_KINDS } from '../internal/listRequest.js';
export type { ThreadListPage } from '../../protocol/threads.js';
import type { ThreadListPage } from '../../protocol/threads.js';

/**
 * What `listThreads` finds: `thread/list`'s result, and what the source filter left out of it,
 * which Codex's answer does not say (the RPC method answers `page` alone).
 */
export interface ThreadListing {
  readonly page: ThreadListPage;
  /**
   * Threads every other filter let through but the source filter dropped, counted by the first
   * kind each answers to (`exec`, `subAgent`, …), over the whole list, not only this page: a home
   * of `codex exec` threads lists nothing by default, and a person should be told why. Null
   * unless asked for (`countHidden`: it reads every thread).
   */
  readonly hiddenBySource: Readonly<Partial<Record<ThreadSourceKind, number>>> | null;
}

/** The most threads one step ahead of the build indexes at once. */
const MAX_AHEAD_STEP = 4096;

/**
 * The page of `limit` threads cut from the list's candidates in order (the one after it, if any,
 * makes the next cursor), with the read states of the threads on it; `fromStateDbRows`: rows as
 * Codex's state DB answers them (`stateDbRowOf`).
 */

/**
 * A row as Codex's file scan answers it: `updatedAt` the listed file's modification time, in
 * seconds (codex-rs/rollout/src/list.rs: the file's mtime; measured on 0.169.0: a file touched
 * after its row was written lists as updated then, its state-DB answers keeping the row's time).
 */
const scannedRowOf = (row: ThreadRow): ThreadRow =>
  row.fileMtimeMs === undefined ? row : { ...row, updatedAt: Math.floor(row.fileMtimeMs / 1000) };

export const threadListPageOf = (
  candidates: ReadonlyArray<{ readonly row: ThreadRow; readonly key: number }>,
  limit: number,
  sortKey: ThreadSortKey,
  direction: 'asc' | 'desc',
  heldAs: ThreadCursorMethod = 'fileScan',
  fromStateDbRows = false,
  hostPaths?: HostPaths,
  /** A thread the source filter dropped follows the page (`postFilteredMore`): a next cursor all the same. */
  moreUnfiltered = false,
): ThreadListPage => {
  const page = candidates.slice(0, limit);
  const readStates: Record<string, ReadState> = {};
  for (const c of page) if (hasReadState(c.row)) readStates[c.row.id] = readStateOf(c.row);
  const last = page[page.length - 1];
  // A file scan orders created_at by the file name's time, but its backwards cursor is the first
  // item's created_at as it answers it: the session's millisecond (`backwardsThreadCursor`).
  const first =
    page[0] === undefined
      ? undefined
      : heldAs === 'fileScan' && sortKey === 'created_at'
        ? page[0].row.sortMs.created
        : page[0].key;
  return {
    data: page.map((c) =>
      threadFromRow(
        fromStateDbRows ? stateDbRowOf(c.row) : heldAs === 'fileScan' ? scannedRowOf(c.row) : c.row,
        [],
        hostPaths,
      ),
    ),
    readStates,
    nextCursor:
      (candidates.length > limit || (moreUnfiltered && candidates.length === limit)) && last
        ? nextThreadCursor(heldAs, sortKey, last.key, last.row.id)
        : null,
    backwardsCursor: first === undefined ? null : backwardsThreadCursor(heldAs, sortKey, first, direction),
  };
};

/** The keys Codex's file scan orders by where its state DB orders by the row's: the file name's time, the file's mtime. */
const FILE_SCAN_ORDER: Partial<Record<ThreadSortKey, ListOrder['key']>> = {
  created_at: 'named',
  updated_at: 'scanned',
};

/**
 * The thread order a list walks: Codex's file scan orders created_at by the rollout file name's
 * time (`named`), which Codex writes in the writer's local time and reads as if UTC
 * (codex-rs/rollout/src/list.rs, `parse_timestamp_uuid_from_filename`, `collect_rollout_day_files`;
 * its next cursor is that time: `thread_item_sort_key` in rollout/src/recorder.rs), and updated_at
 * by the file's mtime (`scanned`: `file_modified_rfc3339`); its state DB orders by the row's times
 * (`created_at_ms`, `updated_at_ms`).
 */
export const threadWalkOrderOf = (heldAs: ThreadCursorMethod, sortKey: ThreadSortKey, order: ListOrder): ListOrder => {
  const scanned = heldAs === 'fileScan' ? FILE_SCAN_ORDER[sortKey] : undefined;
  return scanned === undefined ? order : { ...order, key: scanned };
};

interface Candidate {
  readonly row: ThreadRow;
  readonly key: number;
}

/**
 * What Codex's thread list (its SQLite rows) shows of a thread: the list row differs from
 * `thread/read` as Codex's does: no `forkedFromId`, no `threadSource`. (A fork's listed preview is its history's first
 * user message, as Codex's rows have it until a background repair may rewrite it.)
 */
export const listRowOf = (row: ThreadRow): ThreadRow => ({ ...row, forkedFromId: null, threadSource: null });

/** The thread that spawned a row's (`spawn_agent`): its source names it; a review's sub-agent has none. */
const spawnerOf = (row: ThreadRow): string | null =>
  sourceKindsOf(row.source).includes('subAgentThreadSpawn') ? row.parentThreadId : null;

/**
 * What Codex answers of a row from its state DB (`thread/search`, `thread/list` with a search term
 * or `useStateDbOnly`): a list row without `parentThreadId`, which its DB rows do not hold
 * (measured on 0.169.0: a review's and a spawned sub-agent list with their parent from the file
 * scan, with `null` from the state DB; with a spawn-tree filter, with the parent of the edge).
 */
export const stateDbRowOf = (row: ThreadRow): ThreadRow => ({ ...listRowOf(asStateDbRow(row)), parentThreadId: null });

/** Substring match, case-sensitive as Codex's search term is. */
const contains = (hay: string, needle: string): boolean => hay.includes(needle);

/**
 * What the source filter alone hid over the whole list, counted by the first kind each hidden
 * thread answers to: a scan of every thread row, so only for a caller that shows it.
 */
const hiddenBySourceOf = async (
  ports: HistoryReadPorts,
  listed: (row: ThreadRow) => boolean,
  ofKind: (row: ThreadRow) => boolean,
): Promise<Partial<Record<ThreadSourceKind, number>>> => {
  const hidden: Partial<Record<ThreadSourceKind, number>> = {};
  for await (const { value: row } of scanRows(ports.index, 'threads', [], { reverse: false }, 256)) {
    if (!listed(row) || ofKind(row)) continue;
    const kind = sourceKindsOf(row.source)[0] ?? 'unknown';
    hidden[kind] = (hidden[kind] ?? 0) + 1;
  }
  return hidden;
};

/**
 * `thread/list`: threads from the index, filtered, in order, one page: the thread order walked
 * from the cursor until the page and the one thread after it are found (O(limit) plus the rows
 * the filters skip). `countHidden`: also count what the source filter hid over the whole list.
 * long: not split yet (issue 71): one useCase over the list's walk, its filters and its page
 */
export const listThreads = (
  ports: HistoryReadPorts,
  q: ListThreadsQuery,
  options: { readonly countHidden?: boolean } = {},
): TE.TaskEither<EngineError, ThreadListing> =>
  useCase(async () => {
    const refused = listRefusal(q);
    if (refused !== undefined) return stop(refused);
    if (listsNothing(q))
      return {
        page: { data: [], readStates: {}, nextCursor: null, backwardsCursor: null },
        hiddenBySource: options.countHidden === true ? {} : null,
      };
    const cursor: ThreadListCursor | null =
      q.cursor === null || q.cursor === undefined ? null : await take(parseThreadListCursor(q.cursor));
    const configuredProvider =
      q.modelProviders === null || q.modelProviders === undefined ? await take(ports.configuredModelProvider()) : '';
    const {
      sortKey,
      direction,
      limit,
      order,
      kinds,
      providers,
      cwds,
      excluded,
      included,
      archived,
      term,
      metadataFiltered,
    } = listRequestOf(q, configuredProvider, ports.hostPaths);
    const parent = q.parentThreadId ?? null;
    const ancestor = q.ancestorThreadId ?? null;
    // Codex answers a search term, useStateDbOnly, a listing it filters by no metadata and the
    // spawn-tree filters from its state DB, the rest from its scan of the files: the two order,
    // compare and write cursors apart.
    const fromStateDb = term !== '' || q.useStateDbOnly === true || !metadataFiltered;
    const heldAs: ThreadCursorMethod = fromStateDb || parent !== null || ancestor !== null ? 'stateDb' : 'fileScan';
    const walkOrder = threadWalkOrderOf(heldAs, sortKey, order);
    const ahead =
      q.useStateDbOnly === true || ports.indexer.listAhead === undefined
        ? null
        : await take(ports.indexer.listAhead(walkOrder));
    if (q.useStateDbOnly !== true && ahead === null) await take(ports.indexer.refreshAll());
    // Codex's DB-only list too reads rows its own reads re-dated.
    if (ahead === null) await take(ports.indexer.followCodexRows());
    // Read after the refresh; ahead of a build, pages also depend on what is still pending: not kept.
    const mark = ahead === null ? indexWriteMark(ports.index) : null;
    const query = JSON.stringify([
      q.cursor ?? null,
      sortKey,
      direction,
      limit,
      [...kinds],
      providers && [...providers],
      cwds && [...cwds],
      [...excluded],
      included && [...included],
      archived,
      term,
      q.parentThreadId ?? null,
      q.ancestorThreadId ?? null,
      // Answered as from Codex's state DB (its rows and cursors), not as its file scan.
      q.useStateDbOnly === true,
      options.countHidden === true,
    ]);
    const known = mark === null ? undefined : keptAnswer<ThreadListing>(ports.index, mark, query);
    if (known !== undefined) return known;

    /** Every filter but the source filter (`ofKind`), kept apart so what the source filter drops is what it alone hides. */
    // Codex filters by its spawn edges (`spawnerOf`), which a review's sub-agent does not have.
    /** Whether `ancestor` spawned the row's thread, or one of the threads that spawned it (sub-agents of sub-agents). */
    const descends = async (row: ThreadRow): Promise<boolean> => {
      const seen = new Set<string>();
      for (let up = spawnerOf(row); up !== null && !seen.has(up);) {
        if (up === ancestor) return true;
        seen.add(up);
        const above = await take(ports.index.get('threads', [up]));
        up = above === undefined ? null : spawnerOf(above);
      }
      return false;
    };
    // Codex's state DB filters by the fields it holds, its file scan by the first meta's (`ThreadRow.stateDb`, `fileScanProvider`).
    // (By recency_at too: measured, a later meta's provider filters there.)
    const fromDbFields = heldAs === 'stateDb' || sortKey === 'recency_at';
    const filtered = (row: ThreadRow): ThreadRow =>
      fromDbFields ? asStateDbRow(row) : { ...row, modelProvider: row.fileScanProvider ?? row.modelProvider };
    const listed = (stored: ThreadRow): boolean => {
      const row = filtered(stored);
      return (
        row.archived === archived &&
        // A meta Codex's serde refuses: only its state DB holds the thread (its file scan passes the file by).
        (row.metaRefused !== true || fromDbFields) &&
        !excluded.has(row.id) &&
        (included === null || included.has(row.id)) &&
        ahead?.pending(row.id) !== true &&
        // Codex lists only threads with a first user message (its "visible" index: preview <> ''),
        // except a spawn tree's, read from its spawn edges: a multi-agent v2 sub-agent has none.
        // Archived threads are listed with or without one (measured on 0.169.0, every path: metaRules.compat.spec.ts).
        (row.preview !== '' || archived || parent !== null || ancestor !== null) &&
        (!providers || providers.has(row.modelProvider ?? '')) &&
        (!cwds || cwds.has(pathKey(row.cwd))) &&
        (parent === null || spawnerOf(row) === parent) &&
        (term === '' || contains(row.name ?? '', term) || contains(row.preview, term)) &&
        // Codex's file scan passes by a file whose name's time is no time (its state DB lists it).
        (heldAs !== 'fileScan' || fileNameTimestampOf(row.path) !== undefined)
      );
    };
    const ofKind = (row: ThreadRow): boolean => sourceKindsOf(filtered(row).source).some((k) => kinds.has(k));

    // Where the walk starts; `pastCursor` decides which of the rows from there are past the cursor.
    const prefix = [archived ? 1 : 0, walkOrder.key];
    const from = cursor === null ? undefined : [...prefix, cursorWalkStart(heldAs, sortKey, cursor, direction)];

    /**
     * The page's candidates and the one after it, in order: the thread order walked from the cursor
     * (threads still pending for a list ahead of a build left out: their rows may be stale).
     */
    // Source kinds Codex's storage cannot filter are filtered after its pages are read: a page
    // full of the kinds asked has a next cursor when any thread the other filters keep follows it,
    // of those kinds or not (measured on 0.169.0: `sourceKinds: ["exec"]`, limit 1, one exec thread
    // before vscode ones; codex-rs app-server/src/filters.rs `compute_source_filters`).
    const postFiltered = [...kinds].some((k) => POST_FILTERED_KINDS.has(k));
    let moreUnfiltered = false;
    const candidatesNow = async (): Promise<Candidate[]> => {
      const candidates: Candidate[] = [];
      moreUnfiltered = false;
      const walk = scanRows(
        ports.index,
        'threadOrder',
        prefix,
        { reverse: direction === 'desc', ...(from ? { from } : {}) },
        limit + 1,
      );
      for await (const { key } of inThreadOrder(heldAs, sortKey, direction, walk, ({ key: k }) => ({
        row: { id: k[3] },
        key: k[2],
      }))) {
        const row = await take(ports.index.get('threads', [key[3]]));
        // An order key is written with its row; a row missing here is one a writer is replacing.
        if (row === undefined || !listed(row)) continue;
        if (ancestor !== null && !(await descends(row))) continue;
        const c: Candidate = { row: listRowOf(row), key: key[2] };
        if (cursor && !pastCursor(heldAs, sortKey, c, cursor, direction)) continue;
        if (!ofKind(row)) {
          if (postFiltered && candidates.length === limit) {
            moreUnfiltered = true;
            break;
          }
          continue;
        }
        candidates.push(c);
        if (candidates.length > limit) break;
      }
      return candidates;
    };

    let candidates = await candidatesNow();
    // Ahead of a build: index the threads that can still come first until the page and the one
    // after it lie strictly ahead of every thread still pending (or none is).
    // The step doubles: where the files' times cannot bound the keys (a copied home: every file
    // written just now), the walk covers the pending threads in a few catch-ups, not hundreds.
    let step = 2 * (limit + 1);
    for (let bound = ahead?.bound() ?? null; ahead !== null && bound !== null; bound = ahead.bound()) {
      const after = candidates[limit];
      if (after !== undefined && timeBefore(heldAs, sortKey, direction, after.key, bound)) break;
      await take(ahead.next(step));
      step = Math.min(step * 2, MAX_AHEAD_STEP);
      candidates = await candidatesNow();
    }
    // Codex's state DB rows hold no parent, except the spawn edge a spawn-tree filter follows; its
    // recency_at rows are the DB's too, on every path (measured on 0.169.0: a review's sub-agent
    // lists with its parent by created_at and updated_at, with null by recency_at), and so are the
    // rows of a listing it filters by no metadata (`fromStateDb`; measured: `modelProviders: []`
    // with every source kind gives `null`, with a provider or a cwd the parent, the spawn edges
    // making no difference: listParents.compat).
    const rowsFromStateDb = fromStateDb || sortKey === 'recency_at';
    const listing: ThreadListing = {
      page: threadListPageOf(
        candidates,
        limit,
        sortKey,
        direction,
        heldAs,
        rowsFromStateDb && parent === null && ancestor === null,
        ports.hostPaths,
        moreUnfiltered,
      ),
      hiddenBySource: options.countHidden === true ? await hiddenBySourceOf(ports, listed, ofKind) : null,
    };
    if (mark !== null) keepAnswer(ports.index, mark, query, listing);
    return listing;
  });
