import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError, LogPosition } from './errors.js';
import type { RawLine, QuarantineRecord } from './rollout/rawLine.js';
import type { HistoryMode } from './rollout/historyMode.js';
import type { ThreadLineage } from './history/lineage.js';

/** Where the next line of a log would start: its line index and byte offset. `noStream` = no file. */
export type ExpectedPosition = LogPosition | 'noStream' | 'any';

export interface AppendResult {
  /** Position of the first appended line. */
  readonly first: LogPosition;
  /** Position just past the last appended line (the next append's expected position). */
  readonly next: LogPosition;
}

/**
 * One entry of a streamed read: a good line, a quarantined one, or — last, ending the stream —
 * the error that stopped the read (an async iterable cannot return an Either, and nothing may
 * throw across the port).
 */
export type LogEntry =
  | { readonly kind: 'line'; readonly line: RawLine }
  | { readonly kind: 'quarantined'; readonly record: QuarantineRecord }
  | { readonly kind: 'failed'; readonly error: EngineError };

/** The event log: one stream per rollout (file path for JSONL, stream name for EventStoreDB). */
export interface EventLog {
  /** Stream lines from a position (tail catch-up) to the current end. */
  readonly read: (stream: string, from?: LogPosition) => AsyncIterable<LogEntry>;
  /** Read exactly the given byte range (one pread). */
  readonly readRange: (stream: string, byteOffset: number, byteLength: number) => TE.TaskEither<EngineError, string>;
  /** Append lines as one write under the stream's lock, with optimistic concurrency. */
  readonly append: (
    stream: string,
    lines: ReadonlyArray<string>,
    expected: ExpectedPosition,
  ) => TE.TaskEither<EngineError, AppendResult>;
  /** The position just past the last complete line. */
  readonly end: (stream: string) => TE.TaskEither<EngineError, LogPosition | 'noStream'>;
}

export interface Clock {
  readonly now: () => Date;
}

export interface Ids {
  /** A fresh UUIDv7, as Codex uses for threads, turns and items. */
  readonly uuidv7: () => string;
}

/** A decoded line of a logical history with its exact position, or what could not be read. */
export type HistoryEntry =
  | {
      readonly kind: 'line';
      readonly line: import('./rollout/line.js').RolloutLine;
      readonly position: import('./thread/eventPosition.js').EventPosition;
    }
  | { readonly kind: 'quarantined'; readonly record: QuarantineRecord }
  | { readonly kind: 'failed'; readonly error: EngineError };

/**
 * Rows a long read of the index takes between two `remap`s: the kernel keeps every page a read
 * touched mapped into the process until the map is closed, so one scan of a large table (every
 * thread row of a home of many files) would otherwise count whole in its resident set. A remap
 * costs a few ms: at this many rows, a small share of the scan (docs/benchmarks.md, `scale`).
 */
export const ROWS_BETWEEN_UNMAPS = 4096;

/**
 * The history index (LMDB in the embedded adapter). Tables and row shapes: `domain/index/rows.ts`.
 * Reads are range scans over ordered keys; writes are whole batches built against a synchronous
 * view inside one write transaction, so projection rows and the checkpoint move together.
 */
export interface IndexStore {
  readonly get: <T extends import('./index/rows.js').TableName>(
    table: T,
    key: import('./index/rows.js').KeyOf<T>,
  ) => TE.TaskEither<EngineError, import('./index/rows.js').RowOf<T> | undefined>;
  /**
   * Rows whose key starts with `prefix`, in key order (reverse: descending), starting past `after`
   * (exclusive) or at `from` (inclusive) when given.
   */
  readonly range: <T extends import('./index/rows.js').TableName>(
    table: T,
    prefix: ReadonlyArray<import('./index/rows.js').KeyPart>,
    opts?: {
      readonly limit?: number;
      readonly reverse?: boolean;
      readonly after?: ReadonlyArray<import('./index/rows.js').KeyPart>;
      readonly from?: ReadonlyArray<import('./index/rows.js').KeyPart>;
    },
  ) => TE.TaskEither<
    EngineError,
    ReadonlyArray<{
      readonly key: import('./index/rows.js').KeyOf<T>;
      readonly value: import('./index/rows.js').RowOf<T>;
    }>
  >;
  /**
   * Each row whose key starts with `prefix`, in key order, given to `each` as it is read; how many.
   * None is kept: a whole table costs the memory of the rows `each` keeps, and the others die young.
   */
  readonly scan: <T extends import('./index/rows.js').TableName>(
    table: T,
    prefix: ReadonlyArray<import('./index/rows.js').KeyPart>,
    each: (row: {
      readonly key: import('./index/rows.js').KeyOf<T>;
      readonly value: import('./index/rows.js').RowOf<T>;
    }) => void,
  ) => TE.TaskEither<EngineError, number>;
  /** Build a batch against the current state and commit it, all in one write transaction. */
  readonly commit: (
    build: (reader: import('./index/rows.js').IndexReader) => ReadonlyArray<import('./index/rows.js').IndexWrite>,
  ) => TE.TaskEither<EngineError, number>;
  /**
   * A synchronous view of the committed state, outside any transaction (optional). With it a
   * writer builds a batch ahead of its commit, keeping write transactions short; the commit
   * still checks, inside its transaction, that what the batch was built on has not moved.
   */
  readonly reader?: import('./index/rows.js').IndexReader;
  /**
   * `commit` with each write made as `build` gives it, not held until `build` returns (optional):
   * a long synchronous build (the token catch-up reading files in place) keeps no rows in memory.
   * `build` sees its own writes through `reader`.
   */
  readonly commitAsBuilt?: <A>(
    build: (
      reader: import('./index/rows.js').IndexReader,
      write: (w: import('./index/rows.js').IndexWrite) => void,
    ) => A,
  ) => E.Either<EngineError, A>;
  /**
   * Stores over a memory map (optional): unmap and map again between transactions, so pages a
   * long build touched stop counting against the process (see adapters/driven/lmdb/indexStore.ts).
   */
  readonly remap?: () => E.Either<EngineError, void>;
  /**
   * What identifies the store's last write (optional): it changes with every committed write, by
   * any process, and when the store maps another file (reopened on a rebuild swapped in). Verify
   * findings hold while it stays.
   */
  readonly writeMark?: () => E.Either<EngineError, string>;
  /** Every row of every table, in table then key order (verify, tests). */
  readonly dump: () => TE.TaskEither<
    EngineError,
    ReadonlyArray<{ readonly table: string; readonly key: unknown; readonly value: unknown }>
  >;
  readonly close: () => TE.TaskEither<EngineError, void>;
}

/**
 * What the history mutations need of the rollout files: exact reads of the lines they copy
 * (first line, one line by byte range, a legacy file up to a cut) and the three ways they write
 * (a new file, a new file streamed and published whole, an append at an expected end).
 */
export interface RolloutFiles {
  /**
   * Where a thread started (or a revision written) at `at` lives: `sessions/YYYY/MM/DD/rollout-…`;
   * a revision of a file in `archived_sessions/` (`base`) beside it there, so the thread stays archived.
   */
  readonly pathFor: (at: Date, threadId: string, revisionId?: string, base?: string) => string;
  /**
   * The path of a rollout file given by path, if it is one of this home's: inside `sessions/` or
   * `archived_sessions/` (no `..`, no symlink leading out), named like a rollout; links resolved,
   * named under the home as given (as discovery names it). Else InvalidArgument.
   */
  readonly confine: (path: string) => TE.TaskEither<EngineError, string>;
  /** The first line of a file (its session_meta) as stored. */
  readonly firstLine: (path: string) => TE.TaskEither<EngineError, import('./rollout/line.js').RolloutLine>;
  /** One line by its byte range (one pread). */
  readonly lineAt: (
    path: string,
    byteOffset: number,
    byteLength: number,
  ) => TE.TaskEither<EngineError, import('./rollout/line.js').RolloutLine>;
  /** The decoded lines of a file before `endByteOffset` (undefined: to its end), quarantined ones passed on. */
  readonly linesBefore: (path: string, endByteOffset: number | undefined) => AsyncIterable<HistoryEntry>;
  /** Create `path` holding `lines` (one write; Conflict if it exists). */
  readonly create: (path: string, lines: ReadonlyArray<string>) => TE.TaskEither<EngineError, AppendResult>;
  /** Create `path` from streamed lines; it appears only once complete (Conflict if it exists). */
  readonly createFrom: (path: string, lines: AsyncIterable<string>) => TE.TaskEither<EngineError, AppendResult>;
  /**
   * Create the revision `path` (holding `lines`) of the thread whose current file is `base`, under
   * `base`'s lock and only if `base` still ends at `expected` and no other revision replaced it
   * (else Conflict): the same lock and position check as an append, so a revision and an append
   * (or two revisions) cut from the same state never both succeed. `base` is marked superseded.
   */
  readonly revise: (
    base: string,
    expected: LogPosition,
    path: string,
    lines: ReadonlyArray<string>,
  ) => TE.TaskEither<EngineError, AppendResult>;
  /** Append at `expected` (Conflict if the file ends elsewhere); paginated lines continue its ordinals. */
  readonly append: (
    path: string,
    lines: ReadonlyArray<import('./rollout/lineDraft.js').LineDraft>,
    expected: LogPosition,
    mode: HistoryMode,
  ) => TE.TaskEither<EngineError, AppendResult>;
  /** Append rollout lines exactly as given (each one decodable) at `expected` (Conflict if the file ends elsewhere): `rollout/append`. */
  readonly appendRaw: (
    path: string,
    lines: ReadonlyArray<string>,
    expected: LogPosition,
  ) => TE.TaskEither<EngineError, AppendResult>;
  /**
   * Resolves once no writer holds `path`'s writer lock, whether the file is there or not: an
   * archive or unarchive holds the locks of the files it moves until the index names their new
   * place, so a reader that found `path` gone reads the index again after this, not before.
   */
  readonly awaitWriter: (path: string) => TE.TaskEither<EngineError, void>;
}

/** A thread list's order as the indexer sees it: which timestamp, which way. */
export interface ListOrder {
  /** `named`: the file name's time, the created order of Codex's file scan; `scanned`: the file's mtime, its updated order. */
  readonly key: 'created' | 'updated' | 'recency' | 'named' | 'scanned';
  readonly direction: 'asc' | 'desc';
}

/**
 * Threads indexed for one list ahead of a build running behind (`serve`'s first build): those that
 * can come first in the list's order are indexed first, so a page is answered before the build ends
 * and equal to the one the finished index gives.
 */
export interface ListAhead {
  /** The best key (ms) in the list's order a thread still pending can have; null when none is. */
  readonly bound: () => number | null;
  /** The thread is still to be indexed for this list (a row it has may be stale). */
  readonly pending: (threadId: string) => boolean;
  /** Index the next `count` pending threads, best bound first. */
  readonly next: (count: number) => TE.TaskEither<EngineError, void>;
}

/** Keeps the history index current with the log: before a read, and after a mutation's write. */
export interface HistoryIndexer {
  /** While a build runs behind (`serve`): a list is answered by indexing ahead of it in its order; null otherwise (`refreshAll`). */
  readonly listAhead?: (order: ListOrder) => TE.TaskEither<EngineError, ListAhead | null>;
  /**
   * Bring one thread's rows up to date with its files (tail catch-up or repair) before it is read.
   * When its rows were as indexed and nothing was committed to the index from the check's start to
   * its end (by this read's catch-up or name follow, or by another request), the lineage its check
   * read, which a read then need not load again; else undefined.
   */
  readonly refreshThread: (threadId: string) => TE.TaskEither<EngineError, ThreadLineage | undefined>;
  /** Bring every thread up to date (discovery of new, changed and removed files). */
  readonly refreshAll: () => TE.TaskEither<EngineError, void>;
  /** Derive again the threads whose row in Codex's state DB changed with no file of theirs (Codex's own reads write it). */
  readonly followCodexRows: () => TE.TaskEither<EngineError, void>;
  /**
   * Index files a mutation just wrote or appended to, so the index is current when it returns.
   * `everyFile`: `paths` are every file of the threads they hold, before and after the mutation (a
   * move's or a delete's, made under their writer locks): a gone one, or a rollout moved from one
   * to another, is settled among them rather than by a catch-up of the whole home.
   */
  readonly catchUp: (
    paths: ReadonlyArray<string>,
    scope?: { readonly everyFile: true },
  ) => TE.TaskEither<EngineError, void>;
  /**
   * A mutation writes `paths` and catches them up itself (`catchUp`) before it answers, until it
   * calls the function returned: meanwhile a list answers as the index stands (the write is not
   * answered yet) rather than waiting for a catch-up of them of its own.
   */
  readonly writing: (paths: ReadonlyArray<string>) => () => void;
}
