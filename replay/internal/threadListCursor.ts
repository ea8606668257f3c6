import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidCursor } from './cursors.js';

/**
 * `thread/list` and `thread/search` cursors as Codex 0.169.0 writes and reads them, all their
 * arithmetic here. `next` = "<sort timestamp>|<thread id>" (created_at at second precision;
 * updated_at / recency_at in milliseconds with trailing zeros cut); `backwards` = the first row's
 * time as Codex holds it, 1 ms before it on a descending page, 1 ms after it on an ascending one
 * (app-server `thread_backwards_cursor_for_sort_key`), in milliseconds.
 */
export type ThreadSortKey = 'created_at' | 'updated_at' | 'recency_at';

/**
 * The method a cursor pages, as each holds a row's time: `thread/list` walks the rollout files
 * (created_at is the session's millisecond, compared with a cursor at the file name's second),
 * `thread/search` its state DB's rows (created_at answered cut to the second, compared to the
 * millisecond).
 */
export type ThreadCursorMethod = 'list' | 'search';

export interface ThreadListCursor {
  readonly ms: number;
  readonly threadId: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const SECOND = 1000;

export const nextThreadCursor = (key: ThreadSortKey, ms: number, threadId: string): string => {
  if (key === 'created_at') return `${iso(Math.floor(ms / SECOND) * SECOND).slice(0, 19)}Z|${threadId}`;
  const [whole, frac] = iso(ms).slice(0, -1).split('.');
  const cut = (frac ?? '').replace(/0+$/, '');
  return `${whole}${cut === '' ? '' : `.${cut}`}Z|${threadId}`;
};

/**
 * The first row's time `ms` as Codex's backwards cursor: thread/list holds the session's
 * millisecond; its state DB rows hold created_at cut to the second
 * (`thread_item_from_state_metadata`), so a page answered from them — thread/search, thread/list
 * with a search term or `useStateDbOnly` (`method` 'search') — has that second ∓ 1 ms.
 */
export const backwardsThreadCursor = (method: ThreadCursorMethod, key: ThreadSortKey, ms: number, direction: 'asc' | 'desc'): string => {
  const held = method === 'search' && key === 'created_at' ? Math.floor(ms / SECOND) * SECOND : ms;
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
 * The precision a row's time is compared with a cursor at, whatever the cursor's text holds:
 * thread/list's created_at is the rollout file name's second; every other time the millisecond
 * (a cursor written in seconds is that second's first millisecond).
 */
const unitOf = (method: ThreadCursorMethod, key: ThreadSortKey): 1 | 1000 => (method === 'list' && key === 'created_at' ? SECOND : 1);

/**
 * Codex's cursor rule: a row lies past the cursor when (its time, its id) is strictly beyond
 * (the cursor's time, the cursor's id) in the page direction; a cursor without an id (a backwards
 * cursor) is passed by time alone, so a row at exactly its time is not on the page.
 */
export const pastCursor = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  row: { readonly row: { readonly id: string }; readonly key: number },
  cursor: ThreadListCursor,
  direction: 'asc' | 'desc',
): boolean => {
  const unit = unitOf(method, key);
  const time = Math.floor(row.key / unit) * unit;
  const sign = direction === 'asc' ? 1 : -1;
  if (time !== cursor.ms) return sign * (time - cursor.ms) > 0;
  return cursor.threadId !== null && sign * (row.row.id < cursor.threadId ? -1 : row.row.id > cursor.threadId ? 1 : 0) > 0;
};

/**
 * Where a walk of the thread order (millisecond keys) starts so that every row `pastCursor` lets
 * through is on it: ascending at the cursor's time; descending below the end of the unit holding
 * it (a descending walk from `[…, ms]` starts below that ms).
 */
export const cursorWalkStart = (method: ThreadCursorMethod, key: ThreadSortKey, cursor: ThreadListCursor, direction: 'asc' | 'desc'): number => {
  const unit = unitOf(method, key);
  return direction === 'asc' ? cursor.ms : Math.floor(cursor.ms / unit) * unit + unit;
};
