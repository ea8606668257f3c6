import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { Clock, HistoryIndexer, Ids, IndexStore, RolloutFiles } from '../domain/ports.js';

/**
 * What the history read use cases need: the index, the indexer that keeps it current with the
 * log (a thread's files compared with their checkpoints and caught up before it is answered),
 * and exact byte ranges of the log.
 */
export interface HistoryReadPorts {
  readonly index: IndexStore;
  readonly indexer: HistoryIndexer;
  /** Exact byte ranges of one rollout file, in order (one open, one pread each). */
  readonly readRanges: (path: string, ranges: ReadonlyArray<readonly [number, number]>) => TE.TaskEither<EngineError, string[]>;
  /**
   * Told when a thread is read whose rollout files hold quarantined lines (lines no answer can
   * show), so the transport can say so beside a Codex-shaped answer: a warning on stderr in the
   * CLI, a notification over JSON-RPC. Absent: nobody is told.
   */
  readonly onQuarantined?: (q: QuarantinedLines) => void;
}

/** The quarantined lines of the rollout files a thread read went through, file by file. */
export interface QuarantinedLines {
  readonly threadId: string;
  readonly lines: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly lines: number }>;
}

/**
 * What the mutation use cases (fork, revert, rollback, review, token replay) need: the read ports
 * (their answers carry the thread as `thread/read` shows it), the rollout files they write, the
 * clock and ids.
 */
export interface MutationPorts extends HistoryReadPorts {
  readonly files: RolloutFiles;
  /** The idempotency keys of `rollout/append`, kept durably (the engine's own log). */
  readonly appendKeys: AppendKeys;
  readonly clock: Clock;
  readonly ids: Ids;
}

/** What one `rollout/append` wrote, kept under its idempotency key: a retry answers it again. */
export interface AppendRecord {
  readonly idempotencyKey: string;
  readonly threadId: string;
  readonly path: string;
  /** The thread's ordinal of the first line written (paginated: the lines' `ordinal`; legacy: the file's line index). */
  readonly firstOrdinal: number;
  readonly lines: number;
  /** The new end: the ordinal and byte offset the next append expects. */
  readonly ordinal: number;
  readonly byteOffset: number;
}

/** The keys of the appends done, durable across restarts. */
export interface AppendKeys {
  readonly find: (idempotencyKey: string) => TE.TaskEither<EngineError, AppendRecord | undefined>;
  readonly record: (r: AppendRecord) => TE.TaskEither<EngineError, void>;
}
