import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ListAhead, ListOrder } from '../../domain/ports.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import { asStateDbRow, threadFromRow, withRolloutReadStart } from '../../domain/thread/threadFromRow.js';
import type { HostPaths } from '../../domain/thread/hostPath.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ReadState } from '../internal/readState.js';
import { hasReadState, readStateOf } from '../internal/readState.js';
import type { ThreadListCursor, ThreadSortKey } from '../internal/threadListCursor.js';
import { backwardsThreadCursor, nextThreadCursor, parseThreadListCursor } from '../internal/threadListCursor.js';
import type { ThreadCursorMethod } from '../internal/threadListCursor.js';
import { indexWriteMark } from '../../domain/index/indexWriteMark.js';
import { answering, keepAnswer, keptAnswer, runningAnswer } from '../internal/listingMemo.js';
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
import type { ListRequest, ListThreadsQuery } from '../internal/listRequest.js';
import { listRefusal, listRequestOf, listsNothing } from '../internal/listRequest.js';
import type { ThreadListPlan } from '../internal/threadListWalk.js';
import { listRowOf, threadListCandidates, threadListFilterOf } from '../internal/threadListWalk.js';
export { listRowOf } from '../internal/threadListWalk.js';
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

/** How a page of `thread/list` is answered (`threadListPageOf`). */
export interface ThreadPageShape {
  readonly limit: number;
  readonly sortKey: ThreadSortKey;
  readonly direction: 'asc' | 'desc';
  readonly heldAs: ThreadCursorMethod;
  /** Rows as Codex's state DB answers them (`stateDbRowOf`). */
  readonly fromStateDbRows: boolean;
  readonly hostPaths?: HostPaths;
  /** A thread the source filter dropped follows the page (`postFilteredMore`): a next cursor all the same. */
  readonly moreUnfiltered: boolean;
  /** The time of the request (ms): a file scan's answer for a start it cannot read (`ThreadRow.startUnread`). */
  readonly requestMs: number;
}

/**
 * A row as Codex's file scan answers it: `updatedAt` the listed file's modification time, in
 * seconds (codex-rs/rollout/src/list.rs: the file's mtime; measured on 0.169.0: a file touched
 * after its row was written lists as updated then, its state-DB answers keeping the row's time);
 * `createdAt` the time of the request where it cannot read the meta's (`ThreadRow.startUnread`;
 * measured on 0.169.0: fuzzer `--replay 20261130:25:2:0`); what its state DB's row fills where the
 * first meta leaves a field unset (`ThreadRow.fileScanFills`); a thread with no such row, its
 * `recencyAt` the file's time as well (measured on 0.169.0: historyNotUtf8.compat).
 */
const scannedRowOf = (row: ThreadRow, requestMs: number): ThreadRow => {
  const mtime = row.fileMtimeMs === undefined ? undefined : Math.floor(row.fileMtimeMs / 1000);
  return withRolloutReadStart(
    {
      ...row,
      ...(mtime === undefined ? {} : { updatedAt: mtime }),
      // With no state-DB row to answer it, its recency is the file's too (`ThreadRow.historyUnloadable`).
      ...(mtime !== undefined && row.historyUnloadable !== undefined ? { recencyAt: mtime } : {}),
      ...row.fileScanFills,
    },
    requestMs,
  );
};

/**
 * The page of `shape.limit` threads cut from the list's candidates in order (the one after it, if
 * any, makes the next cursor), with the read states of the threads on it.
 */
export const threadListPageOf = (
  candidates: ReadonlyArray<{ readonly row: ThreadRow; readonly key: number }>,
  shape: ThreadPageShape,
): ThreadListPage => {
  const { limit, sortKey, direction, heldAs, fromStateDbRows, hostPaths, moreUnfiltered, requestMs } = shape;
  const page = candidates.slice(0, limit);
  const readStates: Record<string, ReadState> = {};
  for (const c of page) if (hasReadState(c.row)) readStates[c.row.id] = readStateOf(c.row);
  const last = page[page.length - 1];
  const scanned = heldAs === 'fileScan' && !fromStateDbRows;
  // A file scan orders created_at by the file name's time, but its backwards cursor is the first
  // item's created_at as it answers it: the session's millisecond (`backwardsThreadCursor`), the
  // request's where it cannot read the session's.
  const first =
    page[0] === undefined
      ? undefined
      : heldAs === 'fileScan' && sortKey === 'created_at'
        ? scanned && page[0].row.startUnread === true
          ? requestMs
          : page[0].row.sortMs.created
        : page[0].key;
  return {
    data: page.map((c) =>
      threadFromRow(
        fromStateDbRows ? stateDbRowOf(c.row) : scanned ? scannedRowOf(c.row, requestMs) : c.row,
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

/**
 * What Codex answers of a row from its state DB (`thread/search`, `thread/list` with a search term
 * or `useStateDbOnly`): a list row without `parentThreadId`, which its DB rows do not hold
 * (measured on 0.169.0: a review's and a spawned sub-agent list with their parent from the file
 * scan, with `null` from the state DB; with a spawn-tree filter, with the parent of the edge).
 */
export const stateDbRowOf = (row: ThreadRow): ThreadRow => ({
  ...listRowOf(asStateDbRow(row)),
  parentThreadId: null,
  ...(row.stateDbHistoryMode === undefined ? {} : { historyMode: row.stateDbHistoryMode }),
});

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
  // The store's scan: no row kept, and the pages it read released as it goes (a whole table's).
  await take(
    ports.index.scan('threads', [], ({ value: row }) => {
      if (!listed(row) || ofKind(row)) return;
      const kind = sourceKindsOf(row.source)[0] ?? 'unknown';
      hidden[kind] = (hidden[kind] ?? 0) + 1;
    }),
  );
  return hidden;
};

/** The listing of a request that lists nothing (`listsNothing`). */
const emptyListing = (countHidden: boolean | undefined): ThreadListing => ({
  page: { data: [], readStates: {}, nextCursor: null, backwardsCursor: null },
  hiddenBySource: countHidden === true ? {} : null,
});

/** A request as the list walks it: its cursor read, its filters resolved, and how Codex answers it. */
const listPlanOf = async (ports: HistoryReadPorts, q: ListThreadsQuery): Promise<ThreadListPlan> => {
  const cursor: ThreadListCursor | null =
    q.cursor === null || q.cursor === undefined ? null : await take(parseThreadListCursor(q.cursor));
  const configuredProvider =
    q.modelProviders === null || q.modelProviders === undefined ? await take(ports.configuredModelProvider()) : '';
  const req = listRequestOf(q, configuredProvider, ports.hostPaths);
  const parent = q.parentThreadId ?? null;
  const ancestor = q.ancestorThreadId ?? null;
  // Codex answers a search term, useStateDbOnly, a listing it filters by no metadata and the
  // spawn-tree filters from its state DB, the rest from its scan of the files: the two order,
  // compare and write cursors apart.
  const fromStateDb = req.term !== '' || q.useStateDbOnly === true || !req.metadataFiltered;
  const heldAs: ThreadCursorMethod = fromStateDb || parent !== null || ancestor !== null ? 'stateDb' : 'fileScan';
  const walkOrder = threadWalkOrderOf(heldAs, req.sortKey, req.order);
  return { req, cursor, parent, ancestor, fromStateDb, heldAs, walkOrder, stateDbOnly: q.useStateDbOnly === true };
};

/** The index brought up to date for a list: indexed ahead of a build that runs behind (its `ListAhead`), else refreshed. */
const catchUpForList = async (
  ports: HistoryReadPorts,
  q: ListThreadsQuery,
  walkOrder: ListOrder,
): Promise<ListAhead | null> => {
  const ahead =
    q.useStateDbOnly === true || ports.indexer.listAhead === undefined
      ? null
      : await take(ports.indexer.listAhead(walkOrder));
  if (q.useStateDbOnly !== true && ahead === null) await take(ports.indexer.refreshAll());
  // Codex's DB-only list too reads rows its own reads re-dated.
  if (ahead === null) await take(ports.indexer.followCodexRows());
  return ahead;
};

/** The key a listing is kept under (`keepAnswer`): everything the answer depends on but the index. */
const listQueryKey = (q: ListThreadsQuery, req: ListRequest, countHidden: boolean | undefined): string => {
  const { sortKey, direction, limit, kinds, providers, cwds, excluded, included, archived, term } = req;
  return JSON.stringify([
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
    countHidden === true,
  ]);
};

/**
 * `thread/list`: threads from the index, filtered, in order, one page: the thread order walked
 * from the cursor until the page and the one thread after it are found (O(limit) plus the rows
 * the filters skip). `countHidden`: also count what the source filter hid over the whole list.
 */
export const listThreads = (
  ports: HistoryReadPorts,
  q: ListThreadsQuery,
  options: { readonly countHidden?: boolean } = {},
): TE.TaskEither<EngineError, ThreadListing> =>
  useCase(async () => {
    const refused = listRefusal(q);
    if (refused !== undefined) return stop(refused);
    if (listsNothing(q)) return emptyListing(options.countHidden);
    const plan = await listPlanOf(ports, q);
    const ahead = await catchUpForList(ports, q, plan.walkOrder);
    // Read after the refresh; ahead of a build, pages also depend on what is still pending: not kept.
    const mark = ahead === null ? indexWriteMark(ports.index) : null;
    const query = listQueryKey(q, plan.req, options.countHidden);
    const known = mark === null ? undefined : keptAnswer<ThreadListing>(ports.index, mark, query);
    if (known !== undefined) return known;
    if (mark === null) return (await listingOf(ports, plan, ahead, options.countHidden)).listing;
    // Checked and taken with no await between: of the requests at one mark, one walks.
    const running = runningAnswer<ThreadListing>(ports.index, mark, query);
    const shared = running === undefined ? undefined : await running;
    if (shared !== undefined) return shared;
    const settle = answering<ThreadListing>(ports.index, mark, query);
    let kept: ThreadListing | undefined;
    try {
      const { listing, ofRequest } = await listingOf(ports, plan, ahead, options.countHidden);
      if (!ofRequest) {
        keepAnswer(ports.index, mark, query, listing);
        kept = listing;
      }
      return listing;
    } finally {
      settle(kept);
    }
  });

/**
 * Whether a search whose state-DB page came out empty is answered by Codex's scan of the files
 * instead: a first page (no cursor), not one it answers from its state DB alone
 * (codex-rs rollout/src/recorder.rs `list_threads_with_db_fallback`: a search answers the DB's
 * page when it holds a thread or a cursor was given, else the file scan's; measured on 0.169.0:
 * historyNotUtf8.compat, a thread its state DB holds no row for, found by its name).
 */
const searchScansFiles = (plan: ThreadListPlan): boolean =>
  plan.req.term !== '' &&
  plan.namesSearched !== true &&
  plan.cursor === null &&
  plan.parent === null &&
  plan.ancestor === null &&
  !plan.stateDbOnly &&
  plan.req.sortKey !== 'recency_at';

/** A search's plan as Codex's file scan answers it (`searchScansFiles`): names alone searched. */
const fileScanSearchOf = (plan: ThreadListPlan): ThreadListPlan => ({
  ...plan,
  fromStateDb: false,
  heldAs: 'fileScan',
  walkOrder: threadWalkOrderOf('fileScan', plan.req.sortKey, plan.req.order),
  namesSearched: true,
});

/** The listing a plan walks to; `ofRequest`: it answers the time of the request, that request's alone (not kept, not shared). */
const listingOf = async (
  ports: HistoryReadPorts,
  plan: ThreadListPlan,
  ahead: ListAhead | null,
  countHidden: boolean | undefined,
): Promise<{ readonly listing: ThreadListing; readonly ofRequest: boolean }> => {
  const filter = threadListFilterOf(ports, plan, ahead);
  const { candidates, moreUnfiltered, postFilteredOut } = await threadListCandidates(ports, plan, filter, ahead);
  // Codex asks whether its state DB's page is empty before it filters the kinds it filters after the page.
  if (candidates.length === 0 && !postFilteredOut && searchScansFiles(plan))
    return listingOf(ports, fileScanSearchOf(plan), ahead, countHidden);
  const { sortKey, direction, limit } = plan.req;
  // Codex's state DB rows hold no parent, except the spawn edge a spawn-tree filter follows; its
  // recency_at rows are the DB's too, on every path (measured on 0.169.0: a review's sub-agent
  // lists with its parent by created_at and updated_at, with null by recency_at), and so are the
  // rows of a listing it filters by no metadata (`fromStateDb`; measured: `modelProviders: []`
  // with every source kind gives `null`, with a provider or a cwd the parent, the spawn edges
  // making no difference: listParents.compat).
  const rowsFromStateDb = plan.fromStateDb || sortKey === 'recency_at';
  const listing: ThreadListing = {
    page: threadListPageOf(candidates, {
      limit,
      sortKey,
      direction,
      heldAs: plan.heldAs,
      fromStateDbRows: rowsFromStateDb && plan.parent === null && plan.ancestor === null,
      hostPaths: ports.hostPaths,
      moreUnfiltered,
      requestMs: ports.clock.now().getTime(),
    }),
    hiddenBySource: countHidden === true ? await hiddenBySourceOf(ports, filter.listed, filter.ofKind) : null,
  };
  return { listing, ofRequest: candidates.slice(0, limit).some((c) => c.row.startUnread === true) };
};
