import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidCursor } from './cursors.js';

/**
 * `thread/list` and `thread/search` cursors and orders as Codex 0.169.0 writes and reads them, all
 * their arithmetic here. Derived from openai/codex (basis 7df9d8d8c625) and pinned on the 0.169.0
 * binary on a home with threads in one second (test/compat/threadOrder.compat.spec.ts):
 * - `codex-rs/app-server/src/request_processors/thread_processor.rs`
 *   (`thread_backwards_cursor_for_sort_key`): `backwards` = the first row's time as the page holds
 *   it, 1 ms before it on a descending page, 1 ms after it on an ascending one, in milliseconds;
 * - `codex-rs/rollout/src/list.rs` (`collect_rollout_day_files`, `AnchorState`) and
 *   `codex-rs/rollout/src/recorder.rs` (`list_threads_from_files_asc`, `thread_item_sort_key`):
 *   the file scan orders created_at by (file name second, thread id), the name's time being the
 *   writer's local time read as UTC (`parse_timestamp_uuid_from_filename`): the `named` order key;
 *   its backwards cursor is still the first item's session millisecond (measured on 0.169.0 with
 *   names hours from their sessions: threadOrder.compat, "names in other time zones");
 * - `codex-rs/state/src/runtime/threads.rs` (`push_thread_filters_with_preview`,
 *   `push_thread_order_and_limit`): the state DB orders and compares `created_at_ms` /
 *   `updated_at_ms` / `recency_at_ms` to the millisecond, strictly, the cursor's id deciding a tie;
 * - `codex-rs/rollout/src/recorder.rs` (`thread_item_from_state_metadata`): a state DB row's
 *   created_at is answered cut to the second (`SecondsFormat::Secs`), so is a page's backwards
 *   cursor and thread/search's next cursor (`codex-rs/thread-store/src/local/search_threads.rs`,
 *   `cursor_from_thread_search_item`); a state-DB `thread/list` page's next cursor is its row's
 *   millisecond (`anchor_from_item`).
 * `next` = "<sort timestamp>|<thread id>" (to the second or in milliseconds with trailing zeros cut).
 */
export type ThreadSortKey = 'created_at' | 'updated_at' | 'recency_at';

/**
 * Where Codex answers a page from, which decides how a row's time is held: `fileScan` is
 * `thread/list` walking the rollout files (created_at is the session's millisecond, ordered and
 * compared at the file name's second, then by id); `stateDb` is `thread/list` from its state DB
 * (a search term, `useStateDbOnly`, a spawn-tree filter); `search` is `thread/search`, also from its
 * state DB. From the state DB, every time is ordered and compared to the millisecond and created_at
 * answered cut to the second; only the next cursor differs: thread/search writes created_at's
 * second, a state-DB list its millisecond.
 */
export type ThreadCursorMethod = 'fileScan' | 'stateDb' | 'search';

export interface ThreadListCursor {
  readonly ms: number;
  readonly threadId: string | null;
}

/** A row of a list walk: its thread id and its time on the sort key, in milliseconds. */
export interface OrderedRow {
  readonly row: { readonly id: string };
  readonly key: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const SECOND = 1000;

const toSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND;

/** Milliseconds with trailing zeros cut, as Rust's RFC 3339 formatting of a timestamp writes them. */
const trimmedIso = (ms: number): string => {
  const [whole, frac] = iso(ms).slice(0, -1).split('.');
  const cut = (frac ?? '').replace(/0+$/, '');
  return `${whole}${cut === '' ? '' : `.${cut}`}Z`;
};

export const nextThreadCursor = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  ms: number,
  threadId: string,
): string => `${key === 'created_at' && method !== 'stateDb' ? trimmedIso(toSecond(ms)) : trimmedIso(ms)}|${threadId}`;

/**
 * The first row's time `ms` as Codex's backwards cursor: a file scan holds the session's
 * millisecond; a state DB row created_at cut to the second, so a page answered from them has that
 * second ∓ 1 ms.
 */
export const backwardsThreadCursor = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  ms: number,
  direction: 'asc' | 'desc',
): string => {
  const held = method !== 'fileScan' && key === 'created_at' ? toSecond(ms) : ms;
  return iso(direction === 'asc' ? held + 1 : held - 1);
};

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const parseThreadListCursor = (text: string): E.Either<EngineError, ThreadListCursor> => {
  const bar = text.indexOf('|');
  const ts = bar < 0 ? text : text.slice(0, bar);
  const id = bar < 0 ? null : text.slice(bar + 1);
  const ms = Date.parse(ts);
  if (!TIMESTAMP.test(ts) || Number.isNaN(ms) || id === '') return E.left(invalidCursor(text));
  return E.right({ ms, threadId: id });
};

/**
 * The precision a row's time is ordered and compared with a cursor at, whatever the cursor's text
 * holds: a file scan's created_at is the rollout file name's second; every other time the
 * millisecond (a cursor written in seconds is that second's first millisecond).
 */
const unitOf = (method: ThreadCursorMethod, key: ThreadSortKey): 1 | 1000 =>
  method === 'fileScan' && key === 'created_at' ? SECOND : 1;

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Codex's order of two rows of a page: by time at the method's precision, then by thread id, both
 * in the page direction (negative: `a` comes first).
 */
export const compareInThreadOrder =
  (method: ThreadCursorMethod, key: ThreadSortKey, direction: 'asc' | 'desc') =>
  (a: OrderedRow, b: OrderedRow): number => {
    const unit = unitOf(method, key);
    const sign = direction === 'asc' ? 1 : -1;
    return sign * (Math.floor(a.key / unit) - Math.floor(b.key / unit) || byId(a.row.id, b.row.id));
  };

/** Whether every row at time `a` comes before every row at time `b` in the page's order (`compareInThreadOrder`). */
export const timeBefore = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  direction: 'asc' | 'desc',
  a: number,
  b: number,
): boolean => {
  const unit = unitOf(method, key);
  return (direction === 'asc' ? 1 : -1) * (Math.floor(a / unit) - Math.floor(b / unit)) < 0;
};

/**
 * Codex's cursor rule: a row lies past the cursor when (its time, its id) is strictly beyond
 * (the cursor's time, the cursor's id) in the page direction; a cursor without an id (a backwards
 * cursor) is passed by time alone, so a row at exactly its time is not on the page.
 */
export const pastCursor = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  row: OrderedRow,
  cursor: ThreadListCursor,
  direction: 'asc' | 'desc',
): boolean => {
  const unit = unitOf(method, key);
  const time = Math.floor(row.key / unit) * unit;
  const sign = direction === 'asc' ? 1 : -1;
  if (time !== cursor.ms) return sign * (time - cursor.ms) > 0;
  return cursor.threadId !== null && sign * byId(row.row.id, cursor.threadId) > 0;
};

/**
 * Where a walk of the thread order (millisecond keys) starts so that every row `pastCursor` lets
 * through is on it: ascending at the cursor's time; descending below the end of the unit holding
 * it (a descending walk from `[…, ms]` starts below that ms).
 */
export const cursorWalkStart = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  cursor: ThreadListCursor,
  direction: 'asc' | 'desc',
): number => {
  const unit = unitOf(method, key);
  return direction === 'asc' ? cursor.ms : Math.floor(cursor.ms / unit) * unit + unit;
};

/**
 * A walk of the thread order (millisecond keys, in the page direction) in Codex's order
 * (`compareInThreadOrder`): where a file scan orders created_at by second and id, the rows of one
 * second are gathered and sorted (a second holds few threads); every other order is the walk's own.
 */
export async function* inThreadOrder<R>(
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  direction: 'asc' | 'desc',
  walk: AsyncIterable<R>,
  orderedRowOf: (r: R) => OrderedRow,
): AsyncGenerator<R> {
  if (unitOf(method, key) === 1) {
    yield* walk;
    return;
  }
  const compare = compareInThreadOrder(method, key, direction);
  let second: number | null = null;
  let held: Array<{ readonly r: R; readonly o: OrderedRow }> = [];
  for await (const r of walk) {
    const o = orderedRowOf(r);
    if (second !== null && toSecond(o.key) !== second) {
      yield* held.sort((a, b) => compare(a.o, b.o)).map((h) => h.r);
      held = [];
    }
    second = toSecond(o.key);
    held.push({ r, o });
  }
  yield* held.sort((a, b) => compare(a.o, b.o)).map((h) => h.r);
}
