import type { HistoryMode } from '../domain/rollout/historyMode.js';
import type * as E from 'fp-ts/lib/Either.js';
import type * as T from 'fp-ts/lib/Task.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { ConfigImportResult, ConfigItemType, ExternalAgent } from '../domain/externalConfig/migration.js';
import type { ThreadStateEvent, ThreadStateRow } from '../domain/threadState/threadStateEvent.js';
import type { EngineError } from '../domain/errors.js';
import type { Clock, HistoryIndexer, Ids, IndexStore, RolloutFiles } from '../domain/ports.js';
import type { RolloutAppendResult } from '../protocol/historyWrites.js';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import type { HostPaths } from '../domain/thread/hostPath.js';

/**
 * What the history read use cases need: the index, the indexer that keeps it current with the
 * log (a thread's files compared with their checkpoints and caught up before it is answered),
 * and exact byte ranges of the log.
 */
export interface HistoryReadPorts {
  readonly index: IndexStore;
  readonly indexer: HistoryIndexer;
  /** Exact byte ranges of one rollout file, in order (one open, one pread each). */
  readonly readRanges: (
    path: string,
    ranges: ReadonlyArray<readonly [number, number]>,
  ) => TE.TaskEither<EngineError, string[]>;
  /**
   * Told when a thread is read whose rollout files hold quarantined lines (lines no answer can
   * show), so the transport can say so beside a Codex-shaped answer: a warning on stderr in the
   * CLI, a notification over JSON-RPC. Absent: nobody is told.
   */
  readonly onQuarantined?: (q: QuarantinedLines) => void;
  /**
   * Items rendered before, by everything their rendering reads (optional): a warm server is asked
   * the same pages again and again, and an item is rendered from its lines by a full decode and
   * fold each time (most of an items page's time). Absent: every item is rendered when read.
   */
  readonly renderedItems?: RenderedItems;
  /**
   * The model provider the home's configuration selects (its profile's, else its own, else
   * Codex's default): `thread/list` without `modelProviders` lists that provider's threads alone.
   */
  readonly configuredModelProvider: () => TE.TaskEither<EngineError, string>;
  /**
   * This process's working directory and home folder: a session meta's `cwd` that is not absolute
   * is answered against them, as the Codex started beside us answers it (`domain/thread/hostPath.ts`).
   * Absent: the file's text.
   */
  readonly hostPaths?: HostPaths;
  /**
   * The time of a request: what Codex answers for a start its file scan and rollout reads cannot
   * read (`ThreadRow.startUnread`).
   */
  readonly clock: Clock;
}

/**
 * Rendered items by what a rendering reads (`replay/internal/itemContent.ts`): a key naming the
 * history's mode, the rollout and its decoder, the item's id and place, and the texts of its
 * lines, so an item is given again only for the same key and texts. The store bounds its own
 * memory (it may forget any entry).
 */
export interface RenderedItems {
  readonly get: (key: string, texts: ReadonlyArray<string>) => ThreadItem | undefined;
  readonly set: (key: string, texts: ReadonlyArray<string>, item: ThreadItem) => void;
}

/**
 * The quarantined lines of the rollout files a thread read went through, file by file, and the
 * lines whose ordinal repeats an earlier one (`repeatedOrdinals`: shown, but Codex's cursors by
 * ordinal cannot name them apart).
 */
export interface QuarantinedLines {
  readonly threadId: string;
  readonly lines: number;
  readonly repeatedOrdinals: number;
  readonly files: ReadonlyArray<{ readonly path: string; readonly lines: number; readonly repeatedOrdinals: number }>;
}

/**
 * What the mutation use cases (fork, revert, rollback, review, token replay) need: the read ports
 * (their answers carry the thread as `thread/read` shows it, and the clock), the rollout files
 * they write, and ids.
 */
export interface MutationPorts extends HistoryReadPorts {
  readonly files: RolloutFiles;
  /** The idempotency keys of `rollout/append`, kept durably (the engine's own log). */
  readonly appendKeys: AppendKeys;
  readonly ids: Ids;
  /** Codex's own record of a thread's current file, moved with every revision we write. */
  readonly codexState: CodexThreadState;
  /**
   * Told when a mutation's write is done but Codex's state DB could not be brought along (locked
   * past its busy timeout, not a database, …): the mutation answers success, since what it wrote
   * is there and a retry would write it again (a second fork); the transport says so beside the
   * answer: a warning on stderr in the CLI, a notification over JSON-RPC. Absent: nobody is told.
   */
  readonly onCodexStateNotUpdated?: (n: CodexStateNotUpdated) => void;
}

/** A mutation whose write is done and acknowledged, and the update of Codex's state DB that failed after it. */
export interface CodexStateNotUpdated {
  readonly threadId: string;
  /** The method whose write is done (`thread/fork`, `thread/name/set`, `review/start`). */
  readonly method: string;
  /** What the state DB was not given (`the fork's row`, `the thread's name`). */
  readonly update: string;
  /** Why, as the engine's error renders it. */
  readonly error: EngineError;
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
  readonly switchCurrentFile: <A>(
    change: CurrentFileChange,
    write: TE.TaskEither<EngineError, A>,
  ) => TE.TaskEither<EngineError, A>;
  /**
   * The thread's name in Codex's row, where Codex's `thread/name/set` writes it (a paginated
   * thread's `name` column, a legacy thread's `title`): a Codex with its cache answers names from
   * there, not from `session_index.jsonl`. Nothing is done when there is no state DB or no row.
   */
  readonly recordName: (threadId: string, mode: HistoryMode, name: string) => TE.TaskEither<EngineError, void>;
  /**
   * A fork the engine wrote, given a row in Codex's cache as Codex's own `thread/fork` gives it
   * (the source's row with the fork's id, file and times; no title, tokens or user event of its
   * own yet): a Codex with its cache then answers the fork's preview and model, not `""` / null.
   * Nothing is done when there is no state DB or the source has no row. `reviewSubAgent`: the
   * fork is a detached review's thread, whose row carries the source Codex's rows of review
   * sub-agents carry.
   */
  readonly recordFork: (fork: {
    readonly sourceThreadId: string;
    readonly threadId: string;
    readonly path: string;
    readonly at: Date;
    readonly reviewSubAgent?: boolean;
  }) => TE.TaskEither<EngineError, void>;
}

/** The file a mutation wrote: its path, and the bytes and lines written (what `fork`, `revert`, `review`, `rollback` report beside their answer). */
export interface FileWritten {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
}

/** What one `rollout/append` wrote, kept under its idempotency key: a retry answers it again. */
export type AppendRecord = RolloutAppendResult & { readonly idempotencyKey: string };

/** A recorded append found by its key, and whether a request's lines are the ones it wrote. */
export interface KnownAppend {
  readonly record: AppendRecord;
  /** `'unknown'`: a record an older engine wrote, without its lines' digest. */
  readonly sameLines: boolean | 'unknown';
}

/** The keys of the appends done, durable across restarts; each record keeps a digest of its lines. */
export interface AppendKeys {
  readonly find: (
    idempotencyKey: string,
    lines: ReadonlyArray<string>,
  ) => TE.TaskEither<EngineError, KnownAppend | undefined>;
  readonly record: (r: AppendRecord, lines: ReadonlyArray<string>) => TE.TaskEither<EngineError, void>;
}

/**
 * The engine's thread-state log (read receipts, stored git metadata: what Codex keeps only in
 * SQLite) and its projection, the index table `threadState` (domain/threadState).
 */
export interface ThreadStateLog {
  /** Fold what the log holds beyond what the index has folded (a stat when nothing is new). */
  readonly catchUp: () => TE.TaskEither<EngineError, void>;
  /**
   * One change, atomic across processes: under the log's lock and with the index caught up,
   * `decide` sees the thread's state and gives the event to append (null: none), or refuses; the
   * event is appended and folded. Answers the thread's state after it.
   */
  readonly change: (
    threadId: string,
    decide: (current: ThreadStateRow | undefined) => E.Either<EngineError, ThreadStateEvent | null>,
  ) => TE.TaskEither<EngineError, ThreadStateRow | undefined>;
}

/** What thread management does to a home's files besides the rollouts' lines: Codex's name log and where rollout files live. */
export interface ThreadHomeFiles {
  /** Append one `{id, thread_name, updated_at}` line to `session_index.jsonl`, as Codex does on a rename. */
  readonly appendThreadName: (threadId: string, name: string, at: Date) => TE.TaskEither<EngineError, void>;
  /** Drop a thread's lines from `session_index.jsonl` (thread/delete), the file replaced whole. */
  readonly forgetThreadNames: (threadId: string) => TE.TaskEither<EngineError, void>;
  /** Move rollout files to `archived_sessions/` (flat), each with one rename; answers the new paths in order. */
  readonly archive: (paths: ReadonlyArray<string>) => TE.TaskEither<EngineError, string[]>;
  /** Move archived rollout files back to `sessions/YYYY/MM/DD/` (their names' dates); answers the new paths. */
  readonly unarchive: (paths: ReadonlyArray<string>) => TE.TaskEither<EngineError, string[]>;
  /** Delete rollout files. */
  readonly remove: (paths: ReadonlyArray<string>) => TE.TaskEither<EngineError, void>;
  /**
   * Runs `work` holding the writer locks of these rollout files, the lock every append, revision
   * and fork of a file takes in every process, so none of them runs meanwhile; each file is there
   * once its lock is held, else NotFound (a delete got there first) and `work` does not run.
   */
  readonly underWriterLocks: <A>(
    paths: ReadonlyArray<string>,
    work: TE.TaskEither<EngineError, A>,
  ) => TE.TaskEither<EngineError, A>;
}

/** What the thread management use cases (name, archive, unarchive, metadata, delete, read state) need. */
export interface ThreadManagementPorts extends MutationPorts {
  readonly threadState: ThreadStateLog;
  readonly homeFiles: ThreadHomeFiles;
}

/** A session of another agent found for import (Codex's `ExternalAgentSessionMigration`). */
export interface DetectedExternalSession {
  readonly path: string;
  readonly cwd: string;
  readonly title: string | null;
}

/** An entry named like a session that is not read (a link out of the agent's home, a FIFO, …), with the reason. */
export interface RefusedExternalSession {
  readonly path: string;
  readonly refused: string;
}

/** Where detection looked for sessions: the agent's sessions folder, whether it is there, and how many session files it holds (before the age, count and ledger bounds). */
export interface SessionsLookedIn {
  readonly folder: string;
  readonly exists: boolean;
  readonly sessionFiles: number;
  /** Why session files were left out, so "none to import" can say it: not modified within the window, */
  readonly olderThanWindow?: number;
  /** their current content already in the ledger (imported before, and unchanged or touched only), */
  readonly alreadyImported?: number;
  /** no working directory named, or one that does not exist here. */
  readonly noWorkingDirectory?: number;
}

/** What detection found: the sessions to offer, and the entries it did not read; where it looked (so "none" can say where). */
export interface DetectedExternalSessions {
  readonly offered: DetectedExternalSession[];
  readonly refused: RefusedExternalSession[];
  readonly lookedIn?: SessionsLookedIn;
}

/** A session file read once, start to end, as Codex reads it for import. */
export interface ExternalSessionRead {
  /** SHA-256 (hex) of the file's bytes as read: the ledger's `content_sha256`. */
  readonly contentSha256: string;
  /** The first working directory a record names. */
  readonly cwd: string | undefined;
  readonly title: string | null;
  readonly userMessages: number;
  readonly latestTimestamp: number | null;
  /** Lines that are not records (broken JSON, invalid UTF-8, lone surrogates): skipped, never fatal. */
  readonly badLines: number;
  /** The first few of them: 1-based line number and why. */
  readonly badLineSamples: ReadonlyArray<{ readonly line: number; readonly reason: string }>;
  /** Rows Claude Code wrote twice (same uuid, message id and request id): imported once. */
  readonly duplicateRows: number;
}

/** One imported session as the ledger records it. */
export interface CompletedSessionImport {
  readonly sourcePath: string;
  readonly contentSha256: string;
  readonly threadId: string;
  readonly title: string | null;
}

/**
 * Another agent's sessions (Claude Code's `projects/` folder) and Codex's import ledger
 * (`CODEX_HOME/external_agent_session_imports.json`), shared with Codex.
 */
export interface ExternalSessions {
  /** Whether Codex names the imported thread with the session's title (Claude Code's sessions; not Cursor's). */
  readonly namesThreads: boolean;
  /**
   * Sessions to offer, newest first: recent, not imported in their current state, with a cwd that
   * exists; and the entries refused unread (only regular files inside the agent's home are read).
   */
  readonly detect: (limits: {
    readonly maxAgeDays: number;
    readonly maxSessions: number;
  }) => TE.TaskEither<EngineError, DetectedExternalSessions>;
  /** The file's real path (links resolved), as the ledger names it. */
  readonly canonical: (path: string) => TE.TaskEither<EngineError, string>;
  /** Does the ledger hold this file with this content? */
  readonly isImported: (canonicalPath: string, contentSha256: string) => TE.TaskEither<EngineError, boolean>;
  /** The whole file hashed, parsed only up to the first working directory a record names: what an import checks before it writes. */
  readonly head: (
    canonicalPath: string,
  ) => TE.TaskEither<EngineError, { readonly contentSha256: string; readonly cwd: string | undefined }>;
  /** One pass over the file: what detection shows of it, its hash, its bad lines. */
  readonly summarize: (canonicalPath: string) => TE.TaskEither<EngineError, ExternalSessionRead>;
  /**
   * The conversation, streamed: each message once, in file order. `report` is the read's summary
   * once the stream has ended (its hash is of the bytes the messages came from).
   */
  readonly messages: (canonicalPath: string) => {
    readonly stream: AsyncIterable<import('../domain/externalSessions/claudeRecord.js').ConversationMessage>;
    readonly report: () => ExternalSessionRead;
  };
  readonly isDirectory: (path: string) => TE.TaskEither<EngineError, boolean>;
  /** Runs `work` holding the ledger's lock for this source (one import of a file at a time, across processes). */
  readonly underSourceLock: <A>(
    canonicalPath: string,
    work: TE.TaskEither<EngineError, A>,
  ) => TE.TaskEither<EngineError, A>;
  /** Add the records to the ledger, atomically under its lock (Codex's format; a same-content record is replaced). */
  readonly record: (imports: ReadonlyArray<CompletedSessionImport>) => TE.TaskEither<EngineError, void>;
}

/** What importing sessions needs: thread management's ports and the external sessions. */
export interface ImportPorts extends ThreadManagementPorts {
  readonly externalSessions: ExternalSessions;
}

export type { ImportHistory } from '../protocol/externalAgents.js';
import type { ExternalAgentMigrationItem, ImportHistory } from '../protocol/externalAgents.js';

/**
 * Another agent's home as Codex migrates it (`externalAgentConfig/*`, `import claude|cursor`),
 * and Codex's records of it: built once per home (`openCodexHome`).
 */
export interface ExternalAgentPorts {
  /** The agent's sessions and Codex's import ledger (`agentHome`: the CLI's `--from`, else the agent's own home). */
  readonly sessionsOf: (agent: ExternalAgent, agentHome?: string) => ExternalSessions;
  /** Where the agent keeps its sessions, as Codex names it in its offer (`<agent home>/projects`, the home as the environment names it). */
  readonly sessionsFolder: (agent: ExternalAgent) => string;
  /**
   * The configuration items (skills, CLAUDE.md) of the agent's home (`includeHome`) and of each
   * cwd's repository not migrated yet, home first; none for an agent with no configuration to migrate.
   */
  readonly detectConfigItems: (
    agent: ExternalAgent,
    scope: { readonly includeHome: boolean; readonly cwds: ReadonlyArray<string> },
  ) => TE.TaskEither<EngineError, ExternalAgentMigrationItem[]>;
  /** One configuration item migrated from the agent's home (Claude Code's): what it wrote. */
  readonly importConfigItem: (
    agent: ExternalAgent,
    item: { readonly itemType: ConfigItemType; readonly cwd?: string | null | undefined },
  ) => TE.TaskEither<EngineError, ConfigImportResult>;
  /** The model provider the home's `config.toml` selects (Codex's default without one). */
  readonly modelProvider: T.Task<string>;
  /** Add a completed import to Codex's histories; false when the home keeps none (no state DB yet). */
  readonly recordHistory: (history: ImportHistory) => TE.TaskEither<EngineError, boolean>;
  /** A new import's id (Codex's: a random UUID). */
  readonly newImportId: () => string;
  /**
   * Run an import after the answer that started it has gone out (its notifications follow that
   * answer, as Codex's do), one import at a time on this home: a later one waits for the earlier.
   */
  readonly afterAnswer: (work: () => Promise<void>) => void;
}
