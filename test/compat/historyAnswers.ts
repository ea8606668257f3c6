// How a history answer of ours is compared with Codex's: what may differ (clock readings, read
// receipts) is made Codex's before the comparison. Shared by the stdio and WebSocket compat suites.
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';

/**
 * What may differ, and why: `readState(s)` are Codex's SQLite read receipts (no rollout holds
 * them); thread timestamps are Codex's state-DB clock readings, a few ms off the lines' (one second
 * across a boundary); a thread/list cursor holds such a reading (`sameListClock`).
 */
export const normaliseHistoryAnswer = (method: string, codex: RpcAnswer, ours: RpcAnswer): { expected: unknown; actual: unknown } => {
  if (!('result' in codex) || !('result' in ours)) return { expected: codex, actual: ours };
  const strip = (r: unknown): Record<string, unknown> => {
    const { readState: _a, readStates: _b, ...rest } = r as Record<string, unknown>;
    return rest;
  };
  const expected = strip(codex.result);
  let actual: Record<string, unknown> = secondSkewAccepted(expected, strip(ours.result)) as Record<string, unknown>;
  // Without turns, Codex answers a paginated thread from its state DB, whose updated_at can lag
  // the rollout's last line by seconds (it is synced lazily); ours is the last line's. A lagging
  // Codex is accepted there. (A legacy thread's is its createdAt in both: compared as it is.)
  const et = expected['thread'] as { updatedAt?: number; historyMode?: string } | undefined;
  const at = actual['thread'] as { updatedAt?: number } | undefined;
  if (
    method === 'thread/read' &&
    et?.historyMode === 'paginated' &&
    at &&
    typeof et.updatedAt === 'number' &&
    typeof at.updatedAt === 'number' &&
    et.updatedAt < at.updatedAt
  )
    actual = { ...actual, thread: { ...at, updatedAt: et.updatedAt } };
  if (method === 'thread/list') {
    const e = expected['nextCursor'];
    const a = actual['nextCursor'];
    if (
      typeof e === 'string' &&
      typeof a === 'string' &&
      e.split('|')[1] === a.split('|')[1] &&
      sameListClock(Date.parse(e.split('|')[0]!), Date.parse(a.split('|')[0]!))
    )
      actual = { ...actual, nextCursor: e };
    const eb = expected['backwardsCursor'];
    const ab = actual['backwardsCursor'];
    const firstCreatedMs = ((expected['data'] as Array<{ createdAt?: number }> | undefined)?.[0]?.createdAt ?? NaN) * 1000;
    if (typeof eb === 'string' && typeof ab === 'string' && sameBackwardsClock(Date.parse(eb), Date.parse(ab), firstCreatedMs))
      actual = { ...actual, backwardsCursor: eb };
  }
  return { expected: { result: expected }, actual: { result: actual } };
};

/**
 * Whether Codex's backwards cursor `codex` and ours `ours` (ms) name the same moment. A cursor at
 * the first row's `createdAt` second ∓ 1 ms (a created_at page Codex answers from its state DB)
 * must be ours exactly, or one second off across a boundary; any other is a clock reading
 * (updated_at / recency_at, two clocks, tens of ms apart under load): within a second.
 */
const sameBackwardsClock = (codex: number, ours: number, firstCreatedMs: number): boolean => {
  if (Math.abs(codex - firstCreatedMs) <= 1) return ours === codex || Math.abs(Math.abs(ours - codex) - 1000) === 0;
  return Math.abs(codex - ours) <= 1000;
};

/**
 * Whether Codex's thread/list cursor reading `codex` and ours `ours` (ms since the epoch) name the
 * same moment as far as the two clocks allow. `updated_at` / `recency_at` readings are to the
 * millisecond: within a second. A `created_at` reading is Codex's state-DB second (the cursor
 * holds it ±1 ms for the page direction), taken when it created the thread, while ours is the
 * session_meta line's millisecond: the two whole seconds may differ by one across a boundary, as
 * the threads' `createdAt` may (`secondSkewAccepted`), so the distance in milliseconds alone can
 * be over 1000.
 */
const sameListClock = (codex: number, ours: number): boolean => {
  if (Math.abs(codex - ours) <= 1000) return true;
  const second = Math.round(codex / 1000);
  const atSecondPrecision = Math.abs(codex - second * 1000) <= 1;
  return atSecondPrecision && Math.abs(second - Math.floor(ours / 1000)) <= 1;
};

/**
 * `actual` with each `createdAt` / `updatedAt` / `recencyAt` exactly one second off `expected`'s
 * taken as `expected`'s: Codex stamps them from its state DB (or, for a thread it did not write,
 * from the file's mtime), a few ms apart from the lines ours come from, so a second boundary in
 * between puts them one second apart (README, compatibility notes).
 */
export const secondSkewAccepted = (expected: unknown, actual: unknown): unknown => {
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => secondSkewAccepted(expected[i], a));
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return actual;
  const e = expected as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(actual as Record<string, unknown>).map(([k, v]) => {
      const c = e[k];
      const close = (k === 'createdAt' || k === 'updatedAt' || k === 'recencyAt') && typeof c === 'number' && typeof v === 'number' && Math.abs(c - v) === 1;
      return [k, close ? c : secondSkewAccepted(c, v)];
    }),
  );
};
