// The walk of `thread/list` (split from replay/history/listThreads.ts, the use case): its filters,
// and the thread order walked from the cursor until the page and the one thread after it are found.
import { pathKey } from '../../domain/thread/pathKey.js';
import type { ListAhead, ListOrder } from '../../domain/ports.js';
import type { KeyPart, ThreadRow } from '../../domain/index/rows.js';
import { sessionIndexNameOf } from '../../domain/index/rows.js';
import { asStateDbRow } from '../../domain/thread/threadFromRow.js';
import { fileNameTimestampOf } from '../../domain/rollout/rolloutFile.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ThreadCursorMethod, ThreadListCursor } from './threadListCursor.js';
import { cursorWalkStart, inThreadOrder, pastCursor, timeBefore } from './threadListCursor.js';
import { scanRows } from './scanRows.js';
import { take } from '../../domain/effect.js';
import { sourceKindsOf } from './sourceKinds.js';
import type { ListRequest } from './listRequest.js';
import { POST_FILTERED_KINDS } from './listRequest.js';

/** The most threads one step ahead of the build indexes at once. */
const MAX_AHEAD_STEP = 4096;

/** A list request as a walk answers it: the request, and how Codex answers it (its cursor, filters and order). */
export interface ThreadListPlan {
  readonly req: ListRequest;
  readonly cursor: ThreadListCursor | null;
  readonly parent: string | null;
  readonly ancestor: string | null;
  /** Codex answers from its state DB (else from its scan of the files). */
  readonly fromStateDb: boolean;
  /**
   * A search Codex answers from its scan of the files: the term is looked for in thread names
   * alone (codex-rs rollout/src/recorder.rs `filter_thread_items_by_search_term`: the file scan
   * has only the titles of `session_index.jsonl`), not in previews.
   */
  readonly namesSearched?: true;
  /** `useStateDbOnly`: Codex answers from its state DB whatever it finds. */
  readonly stateDbOnly: boolean;
  readonly heldAs: ThreadCursorMethod;
  readonly walkOrder: ListOrder;
}

export interface Candidate {
  readonly row: ThreadRow;
  readonly key: number;
}

/** A walk's candidates: the page and the one after it, in order; whether a thread the source filter dropped follows a full page. */
export interface Candidates {
  readonly candidates: Candidate[];
  readonly moreUnfiltered: boolean;
  /** Kinds filtered after the page were asked, and a thread the other filters kept was of none of them (Codex's storage page held it). */
  readonly postFilteredOut: boolean;
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

/** Substring match, case-sensitive as Codex's search term is. */
const contains = (hay: string, needle: string): boolean => hay.includes(needle);

/** A list's filters. */
export interface ThreadListFilter {
  /** Every filter but the source filter (`ofKind`), kept apart so what the source filter drops is what it alone hides. */
  readonly listed: (row: ThreadRow) => boolean;
  readonly ofKind: (row: ThreadRow) => boolean;
  /** Whether the plan's ancestor spawned the row's thread, or one of the threads that spawned it (sub-agents of sub-agents). */
  readonly descends: (row: ThreadRow) => Promise<boolean>;
}

// Codex filters by its spawn edges (`spawnerOf`), which a review's sub-agent does not have.
const descendsOf =
  (ports: HistoryReadPorts, ancestor: string | null) =>
  async (row: ThreadRow): Promise<boolean> => {
    const seen = new Set<string>();
    for (let up = spawnerOf(row); up !== null && !seen.has(up);) {
      if (up === ancestor) return true;
      seen.add(up);
      const above = await take(ports.index.get('threads', [up]));
      up = above === undefined ? null : spawnerOf(above);
    }
    return false;
  };

export const threadListFilterOf = (
  ports: HistoryReadPorts,
  plan: ThreadListPlan,
  ahead: ListAhead | null,
): ThreadListFilter => {
  const { req, heldAs, parent, ancestor } = plan;
  const { sortKey, archived, excluded, included, providers, cwds, term, kinds } = req;
  // Codex's state DB filters by the fields it holds, its file scan by the first meta's (`ThreadRow.stateDb`, `fileScanProvider`).
  // (By recency_at too: measured, a later meta's provider filters there.)
  const fromDbFields = heldAs === 'stateDb' || sortKey === 'recency_at';
  const filtered = (row: ThreadRow): ThreadRow =>
    fromDbFields ? asStateDbRow(row) : { ...row, modelProvider: row.fileScanProvider ?? row.modelProvider };
  const listed = (stored: ThreadRow): boolean => {
    const row = filtered(stored);
    return (
      row.archived === archived &&
      // A meta Codex's serde refuses: only its state DB holds the thread (its file scan passes the
      // file by), unless a later meta in the head its scan reads lists it (`scanListed`).
      (row.metaRefused !== true || fromDbFields || row.scanListed === true) &&
      // A rollout Codex cannot load has no state-DB row: its file scan alone lists it, by the head it
      // read (measured on 0.169.0: historyNotUtf8.compat; `ThreadRow.historyUnloadable`).
      (row.historyUnloadable === undefined || (!fromDbFields && row.historyUnloadable === 'headRead')) &&
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
      (term === '' ||
        (plan.namesSearched === true
          ? contains(sessionIndexNameOf(row) ?? '', term)
          : contains(row.name ?? '', term) || contains(row.preview, term))) &&
      // Codex's file scan passes by a file whose name's time is no time (its state DB lists it).
      (heldAs !== 'fileScan' || fileNameTimestampOf(row.path) !== undefined)
    );
  };
  const ofKind = (row: ThreadRow): boolean => sourceKindsOf(filtered(row).source).some((k) => kinds.has(k));
  return { listed, ofKind, descends: descendsOf(ports, ancestor) };
};

/** Where a walk starts; `pastCursor` decides which of the rows from there are past the cursor. */
interface WalkStart {
  readonly prefix: KeyPart[];
  readonly from: KeyPart[] | undefined;
  /**
   * Source kinds Codex's storage cannot filter are filtered after its pages are read: a page
   * full of the kinds asked has a next cursor when any thread the other filters keep follows it,
   * of those kinds or not (measured on 0.169.0: `sourceKinds: ["exec"]`, limit 1, one exec thread
   * before vscode ones; codex-rs app-server/src/filters.rs `compute_source_filters`).
   */
  readonly postFiltered: boolean;
}

const walkStartOf = (plan: ThreadListPlan): WalkStart => {
  const { req, cursor, heldAs } = plan;
  const prefix: KeyPart[] = [req.archived ? 1 : 0, plan.walkOrder.key];
  const from = cursor === null ? undefined : [...prefix, cursorWalkStart(heldAs, req.sortKey, cursor, req.direction)];
  return { prefix, from, postFiltered: [...req.kinds].some((k) => POST_FILTERED_KINDS.has(k)) };
};

/**
 * The page's candidates and the one after it, in order: the thread order walked from the cursor
 * (threads still pending for a list ahead of a build left out: their rows may be stale).
 */
const candidatesNow = async (
  ports: HistoryReadPorts,
  plan: ThreadListPlan,
  filter: ThreadListFilter,
  start: WalkStart,
): Promise<Candidates> => {
  const { cursor, heldAs, ancestor } = plan;
  const { sortKey, direction, limit } = plan.req;
  const { prefix, from, postFiltered } = start;
  const candidates: Candidate[] = [];
  let moreUnfiltered = false;
  let postFilteredOut = false;
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
    if (row === undefined || !filter.listed(row)) continue;
    if (ancestor !== null && !(await filter.descends(row))) continue;
    const c: Candidate = { row: listRowOf(row), key: key[2] };
    if (cursor && !pastCursor(heldAs, sortKey, c, cursor, direction)) continue;
    if (!filter.ofKind(row)) {
      postFilteredOut ||= postFiltered;
      if (postFiltered && candidates.length === limit) {
        moreUnfiltered = true;
        break;
      }
      continue;
    }
    candidates.push(c);
    if (candidates.length > limit) break;
  }
  return { candidates, moreUnfiltered, postFilteredOut };
};

/**
 * The page's candidates and the one after it. Ahead of a build: index the threads that can still
 * come first until the page and the one after it lie strictly ahead of every thread still pending
 * (or none is). The step doubles: where the files' times cannot bound the keys (a copied home:
 * every file written just now), the walk covers the pending threads in a few catch-ups, not hundreds.
 */
export const threadListCandidates = async (
  ports: HistoryReadPorts,
  plan: ThreadListPlan,
  filter: ThreadListFilter,
  ahead: ListAhead | null,
): Promise<Candidates> => {
  const { heldAs } = plan;
  const { sortKey, direction, limit } = plan.req;
  const start = walkStartOf(plan);
  let found = await candidatesNow(ports, plan, filter, start);
  let step = 2 * (limit + 1);
  for (let bound = ahead?.bound() ?? null; ahead !== null && bound !== null; bound = ahead.bound()) {
    const after = found.candidates[limit];
    if (after !== undefined && timeBefore(heldAs, sortKey, direction, after.key, bound)) break;
    await take(ahead.next(step));
    step = Math.min(step * 2, MAX_AHEAD_STEP);
    found = await candidatesNow(ports, plan, filter, start);
  }
  return found;
};
