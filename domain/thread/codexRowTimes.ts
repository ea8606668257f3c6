import * as t from 'io-ts';
import { packDoubles, packedDoubles, unpackDoubles } from '../index/packedDoubles.js';

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
  /**
   * Read from Codex's DB with its two times apart (`codexRowTimesOf`): taken from the file only
   * while both lie within its allocation of the file's mtime (`fileTakenTimes`). A row predicted
   * for a home without a DB (backfillTimes.ts) is one taken from the files whatever its times.
   */
  readonly apart?: true;
}

/**
 * What Codex's DB says of a thread's times: `'live'` for a row Codex wrote as it ran the thread
 * (the lines' rule holds), else the times of a row it may have taken from the file
 * (`fileTakenTimes` judges). Rows of every thread it holds; a thread it holds no row of is absent.
 */
export type CodexRowTimesOf = 'live' | CodexRowTimes;

/**
 * Codex allocates each time of a row from a high-water mark of its own (codex-rs
 * `state/src/runtime/threads.rs` `allocate_thread_timestamp`): a time within a second below the
 * mark is the mark plus 1 ms. A row it took from the file holds the file's mtime as both, each
 * moved on by up to this much: by the rows written before it, and `updated_at` again by each
 * upsert of the row after it (a reconcile on a read or list; `recency_at` is kept on conflict).
 */
const ALLOCATION_SPAN_MS = 1_000;

/**
 * A row whose two times are one reading, or may be one moved on by Codex's allocation, is kept for
 * `fileTakenTimes` to judge against the file's mtime; others are rows Codex ran: it stamps recency
 * at a turn's start and `updated_at` at each write after it (a thread with no turn yet has them at
 * its creation, which is what Codex answers either way).
 */
export const codexRowTimesOf = (row: CodexRowTimes): CodexRowTimesOf =>
  row.updatedMs === row.recencyMs
    ? row
    : Math.abs(row.updatedMs - row.recencyMs) <= ALLOCATION_SPAN_MS
      ? { ...row, apart: true }
      : 'live';

/** Both times are the file's mtime as Codex read it, each moved on by at most its allocation. */
const takenFrom = (row: CodexRowTimes, fileMtimeMs: number | undefined): boolean => {
  if (row.apart !== true) return true;
  if (fileMtimeMs === undefined) return false;
  const ms = Math.floor(fileMtimeMs);
  const within = (t: number): boolean => t >= ms && t <= ms + ALLOCATION_SPAN_MS;
  return within(row.updatedMs) && within(row.recencyMs);
};

/**
 * A thread's `updated` / `recency` times as Codex answers them from its state DB, where they are not
 * its lines' (undefined: a live row, the lines' rule): a row taken from the file (or, in a home
 * without a DB, the row Codex's backfill will write: backfillTimes.ts), its times: two equal ones
 * even for a file touched since (its row keeps the older time), two apart only while both lie
 * within the allocation of the file's mtime (measured on 0.169.0: fuzzer `--replay
 * 20261180:33:0:0:0:1`, `updated_at_ms` 2 ms past the mtime, `recency_at_ms` on it); no row (a
 * file its list will take in, a DB we cannot read), the current file's mtime as Codex reads it
 * (whole milliseconds).
 */
export const fileTakenTimes = (
  row: CodexRowTimesOf | undefined,
  fileMtimeMs: number | undefined,
): CodexRowTimes | undefined => {
  if (row === 'live') return undefined;
  if (row !== undefined)
    return takenFrom(row, fileMtimeMs) ? { updatedMs: row.updatedMs, recencyMs: row.recencyMs } : undefined;
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

/** A row packed: its kind (`LIVE`, `ONE_READING`, `APART`) and its two times. */
const ROW_FIELDS = 3;
const LIVE = 0;
const ONE_READING = 1;
const APART = 2;

/**
 * Codex's rows as the index keeps them (the rows its thread rows were derived with): the thread
 * ids, one a line, and `ROW_FIELDS` doubles each, as bytes.
 */
export const PackedCodexRows = t.type({ ids: t.string, rows: packedDoubles('CodexRows', ROW_FIELDS) });
export type PackedCodexRows = t.TypeOf<typeof PackedCodexRows>;

export const packCodexRows = (rows: ReadonlyMap<string, CodexRowTimesOf>): PackedCodexRows => {
  const doubles = new Float64Array(rows.size * ROW_FIELDS);
  let i = 0;
  for (const row of rows.values()) {
    if (row === 'live') doubles[i] = LIVE;
    else doubles.set([row.apart === true ? APART : ONE_READING, row.updatedMs, row.recencyMs], i);
    i += ROW_FIELDS;
  }
  return { ids: [...rows.keys()].join('\n'), rows: packDoubles(doubles) };
};

/** The rows `packCodexRows` packed; undefined where the ids and rows do not pair up (an id holding a line break). */
export const unpackCodexRows = (packed: PackedCodexRows): Map<string, CodexRowTimesOf> | undefined => {
  const ids = packed.ids === '' ? [] : packed.ids.split('\n');
  if (ids.length * ROW_FIELDS * Float64Array.BYTES_PER_ELEMENT !== packed.rows.byteLength) return undefined;
  const doubles = unpackDoubles(packed.rows, ids.length, ROW_FIELDS);
  const rows = new Map<string, CodexRowTimesOf>();
  ids.forEach((id, n) => {
    const at = n * ROW_FIELDS;
    const kind = doubles[at]!;
    const times = { updatedMs: doubles[at + 1]!, recencyMs: doubles[at + 2]! };
    rows.set(id, kind === LIVE ? 'live' : kind === APART ? { ...times, apart: true } : times);
  });
  return rows;
};
