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
  readonly clock: Clock;
  readonly ids: Ids;
  /** Codex's own record of a thread's current file, moved with every revision we write. */
  readonly codexState: CodexThreadState;
}

/** A thread's current rollout file moving to a new revision file written at `at`. */
export interface CurrentFileChange {
  readonly threadId: string;
  /** The file the history ended in before (the revision's base side). */
  readonly from: string;
  /** The new revision file. */
  readonly to: string;
  readonly at: Date;
}

/**
 * Coherence with a running Codex, which caches which file is each thread's current one (its state
 * DB) and holds the history of the threads it has loaded in memory.
 */
export interface CodexThreadState {
  /** Rejected while a running Codex has the thread loaded: a change to its history now would be invisible to it. */
  readonly refuseIfHeld: (threadId: string) => TE.TaskEither<EngineError, void>;
  /**
   * Runs `write` (which creates `change.to`) while Codex's state DB is write-locked, then points
   * Codex's row for the thread at `change.to` in the same transaction, so Codex and the engine
   * never name different current files. Rejected, with nothing written, while a running Codex has
   * the thread loaded or when Codex's row names a file other than `change.from`.
   */
  readonly switchCurrentFile: <A>(change: CurrentFileChange, write: TE.TaskEither<EngineError, A>) => TE.TaskEither<EngineError, A>;
}
