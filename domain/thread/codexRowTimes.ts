/*
 * Where Codex's state DB takes a thread's `updatedAt` / `recencyAt` from (issue 69). A row Codex
 * writes as it runs the thread holds the moments of its lines: `updated_at` its last write,
 * `recency_at` its creation, then each turn start. A row it takes from a file it did not write
 * (its backfill of the rollouts, codex-rs `rollout/src/metadata.rs` `backfill_sessions` →
 * `extract_metadata_from_rollout`; likewise a file its list finds without a row) holds the file's
 * modification time as both, to the millisecond (measured on 0.169.0: `updated_at_ms` =
 * `recency_at_ms` = the mtime, truncated), and keeps it until Codex itself writes the thread
 * again: a file touched since keeps its row's older time.
 */

/** A thread's row in Codex's state DB, its two times (ms since the epoch). */
export interface CodexRowTimes {
  readonly updatedMs: number;
  readonly recencyMs: number;
}

/**
 * What Codex's DB says of a thread's times: `'live'` for a row Codex wrote as it ran the thread
 * (the lines' rule holds), else the times of a row it took from the file. Rows of every thread
 * it holds; a thread it holds no row of is absent.
 */
export type CodexRowTimesOf = 'live' | CodexRowTimes;

/**
 * A row whose two times are one reading is one Codex took from the file: Codex stamps recency at a
 * turn's start and `updated_at` at each write after it, so a thread it ran has them apart (a
 * thread with no turn yet has them at its creation, which is what Codex answers either way).
 */
export const codexRowTimesOf = (row: CodexRowTimes): CodexRowTimesOf =>
  row.updatedMs === row.recencyMs ? row : 'live';

/**
 * A thread's `updated` / `recency` times as Codex answers them from its state DB, where they are not
 * its lines' (undefined: a live row, the lines' rule): a row taken from the file (or, in a home
 * without a DB, the row Codex's backfill will write: backfillTimes.ts), its times; no row (a file
 * its list will take in, a DB we cannot read), the current file's mtime as Codex reads it (whole
 * milliseconds).
 */
export const fileTakenTimes = (
  row: CodexRowTimesOf | undefined,
  fileMtimeMs: number | undefined,
): CodexRowTimes | undefined => {
  if (row === 'live') return undefined;
  if (row !== undefined) return row;
  if (fileMtimeMs === undefined) return undefined;
  const ms = Math.floor(fileMtimeMs);
  return { updatedMs: ms, recencyMs: ms };
};

/** Whether two readings of a thread's row in Codex's DB date it alike (a live row's own times move with every line: one word). */
const sameCodexRow = (a: CodexRowTimesOf | undefined, b: CodexRowTimesOf | undefined): boolean =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a !== 'live' &&
    b !== 'live' &&
    a.updatedMs === b.updatedMs &&
    a.recencyMs === b.recencyMs);

/** The threads two readings of Codex's DB date apart: a row come, gone, turned live, or re-dated. */
export const codexRowsChanged = (
  before: ReadonlyMap<string, CodexRowTimesOf>,
  after: ReadonlyMap<string, CodexRowTimesOf>,
): Set<string> => {
  const changed = new Set<string>();
  for (const [id, row] of after) if (!sameCodexRow(before.get(id), row)) changed.add(id);
  for (const id of before.keys()) if (!after.has(id)) changed.add(id);
  return changed;
};
