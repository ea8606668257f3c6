/*
 * The times Codex's first start gives the threads of a home without its state DB (issue 69).
 * Its backfill upserts a row per rollout file, the files in the order of their paths under
 * CODEX_HOME (codex-rs `rollout/src/metadata.rs`, `backfill_sessions_with_lease`: the watermarks
 * — a path with `/` separators, relative to the home — sorted as strings, so `archived_sessions/`
 * comes before `sessions/`; the walk's own order plays no part), each row dated by its file's
 * mtime (`extract_metadata_from_rollout`). Each time goes through a process-local high-water mark
 * per column (codex-rs `state/src/runtime/threads.rs`, `allocate_thread_timestamp`): a candidate
 * above the mark is taken and becomes the mark; one at least 1000 ms below it is taken unchanged;
 * any other takes the next millisecond past the mark. A thread with several files (revisions) is
 * upserted once per file: `updated_at` is the last one's, `recency_at` stays the first one's (the
 * upsert keeps a row's recency). The source read is the newest indexed before 0.169.0 (its
 * backfill upserts, `failed to upsert rollout`, as the 0.169.0 binary's strings say; its upsert
 * keeps `recency_at` where the binary's SQL binds none); the rule is measured on 0.169.0
 * (backfillTimes.compat: every file's time goes through both marks).
 */
import type { CodexRowTimes } from './codexRowTimes.js';

/** A rollout file as Codex's backfill takes it: its path relative to the home, its thread, its mtime (ms). */
export interface BackfilledFile {
  readonly relativePath: string;
  readonly threadId: string;
  readonly mtimeMs: number;
}

/** `allocate_thread_timestamp`: the time a candidate (whole ms) gets against the column's high-water mark. */
export const allocateTimestamp = (mark: number, candidate: number): number =>
  candidate > mark || candidate + 1000 <= mark ? candidate : mark + 1;

/** A unit at or above the surrogates: where UTF-16 order and code point order can part. */
const ABOVE_BMP_ORDER = /[\ud800-\uffff]/;

/** Strings in the order of their UTF-8 bytes (Rust's `String` order), which is code point order. */
const byCodePoints = (a: string, b: string): number => {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
};

/** Strings in the order of their UTF-16 units (JavaScript's `<`). */
const byUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The backfill's order: by path relative to the home, as Codex sorts its watermarks. UTF-16 units
 * order as code points unless a surrogate meets a unit above it (U+E000–U+FFFF): paths with no
 * unit from U+D800 up (a home's, at every catch-up of a home without a state DB) sort natively,
 * each path tested once.
 */
export const backfillOrder = <F extends Pick<BackfilledFile, 'relativePath'>>(files: ReadonlyArray<F>): F[] => {
  const compare = files.some((f) => ABOVE_BMP_ORDER.test(f.relativePath)) ? byCodePoints : byUnits;
  return [...files].sort((a, b) => compare(a.relativePath, b.relativePath));
};

/**
 * The row times Codex's backfill of these files writes, by thread id: the allocation folded over
 * the files in the backfill's order, from a fresh process (a mark of 0: no row yet).
 */
export const backfilledRowTimes = (files: ReadonlyArray<BackfilledFile>): ReadonlyMap<string, CodexRowTimes> => {
  const rows = new Map<string, CodexRowTimes>();
  let updatedMark = 0;
  let recencyMark = 0;
  for (const f of backfillOrder(files)) {
    const candidate = Math.floor(f.mtimeMs);
    const updatedMs = allocateTimestamp(updatedMark, candidate);
    const recencyMs = allocateTimestamp(recencyMark, candidate);
    updatedMark = Math.max(updatedMark, updatedMs);
    recencyMark = Math.max(recencyMark, recencyMs);
    const known = rows.get(f.threadId);
    rows.set(f.threadId, { updatedMs, recencyMs: known?.recencyMs ?? recencyMs });
  }
  return rows;
};
