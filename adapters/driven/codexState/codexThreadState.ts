// Codex's own idea of a thread's current rollout file, kept in step with the revisions the engine
// writes. Codex (0.169) keeps one `threads` row per thread in CODEX_HOME/state_5.sqlite whose
// `rollout_path` it reads when it loads a thread: a revision it does not find there stays
// invisible to it, and its next turn continues the history the user reverted. Codex's own
// `thread/revert` moves that row to the new file (and `created_at` to the revert time); so do we,
// under Codex's locking rules (WAL, synchronous NORMAL, 5 s busy timeout, one write transaction).
// A thread a running Codex has loaded is refused instead: it holds the history in memory, so no
// row can change what its next turn continues from.
import { existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt, heldByCodex, isEngineError, rejected } from '../../../domain/errors.js';
import type { CodexThreadState, CurrentFileChange } from '../../../replay/ports.js';
import { isInsideHome } from '../fs/insideHome.js';
import { take, takeNow, useCase } from '../../../domain/effect.js';
import { LinkRefused } from '../fs/fsError.js';
import { CODEX_STATE_DB, stateDbOf } from '../fs/codexStateDb.js';
import { openSqlite, type SqliteDb } from '../sqlite/sqliteDb.js';

// Where the DB is and how it is opened: adapters/driven/fs/codexStateDb.ts (the indexer reads its rows' times too).
export { CODEX_STATE_DB, stateDbOf };

/** Codex's busy timeout on that DB: we wait for its writers as long as they wait for us. */
const BUSY_TIMEOUT_MS = 5_000;
/** Where Codex keeps one flock-ed `<threadId>.lock` per thread it has loaded (`thread-writer-locks/`). */
export const THREAD_WRITER_LOCKS = 'thread-writer-locks';

/** The columns of Codex's `threads` row we read and move (an io-ts decoder: what the DB gives is checked). */
const ThreadRow = t.type({
  id: t.string,
  rollout_path: t.string,
  created_at: t.number,
  created_at_ms: t.union([t.number, t.null]),
});
type ThreadRow = t.TypeOf<typeof ThreadRow>;

/** A failure of SQLite or the file system, as an EngineError (the one mapping of this adapter). */
const codexStateError = (path: string, op: string, err: unknown): EngineError => {
  if (isEngineError(err)) return err;
  const e = err as { code?: unknown; message?: unknown };
  return {
    _tag: 'Io',
    path,
    op,
    code: typeof e.code === 'string' ? e.code : 'SQLITE',
    message: typeof e.message === 'string' ? e.message : String(err),
  };
};

/** The `major:minor:inode` /proc/locks names a file by (glibc's encoding of st_dev). */
const procLocksKey = (path: string): string => {
  const s = statSync(path, { bigint: true });
  const major = ((s.dev >> 8n) & 0xfffn) | ((s.dev >> 32n) & ~0xfffn);
  const minor = (s.dev & 0xffn) | ((s.dev >> 12n) & ~0xffn);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${s.ino}`;
};

/**
 * The pid of the Codex process that holds `thread`'s writer lock, `'unknown'` when it is held by a
 * process we cannot name, or null when nobody holds it. Codex flocks `<threadId>.lock` exclusively
 * while the thread is loaded and removes the file when it lets go (a crashed Codex's file is
 * removed by the next Codex). On Linux the kernel's table of flocks tells (/proc/locks); where
 * there is none, the file's existence is taken as held (a stale file refuses until Codex cleans it).
 */
export const codexWriterOf = (codexHome: string, threadId: string): number | 'unknown' | null => {
  const lock = join(codexHome, THREAD_WRITER_LOCKS, `${threadId}.lock`);
  if (!existsSync(lock)) return null;
  let table: string;
  try {
    table = readFileSync('/proc/locks', 'utf8');
  } catch {
    return 'unknown';
  }
  let key: string;
  try {
    key = procLocksKey(lock);
  } catch {
    return null; // removed between the two looks: released
  }
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    // "19: FLOCK  ADVISORY  WRITE 26914 fe:00:2290006 0 EOF". Codex 0.169 holds it exclusively; later
    // Codex (rollout/src/writer_lock.rs) shares it while a fork reads the history, still writing: READ too.
    if (f[1] === 'FLOCK' && (f[3] === 'WRITE' || f[3] === 'READ') && f[5] === key) return Number(f[4]);
  }
  return null;
};

/** The refusal of a change to a thread a running Codex holds, tagged so `serve --upstream` hands the change to that Codex. */
const heldBy = (threadId: string, holder: number | 'unknown'): EngineError =>
  heldByCodex(
    `thread ${threadId} is open in a running Codex (${holder === 'unknown' ? 'its writer lock is held' : `pid ${holder} holds its writer lock`}); ` +
      'close it there (or stop that Codex) and retry: a history change now would be invisible to it',
  );

const samePath = (a: string, b: string): boolean => {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
};

/**
 * The `CodexThreadState` port over a CODEX_HOME's state DB and thread writer locks.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const codexThreadState = (codexHome: string): CodexThreadState => {
  const dbPath = join(codexHome, CODEX_STATE_DB);

  const refuseIfHeld = (threadId: string): E.Either<EngineError, void> => {
    const holder = codexWriterOf(codexHome, threadId);
    return holder === null ? E.right(undefined) : E.left(heldBy(threadId, holder));
  };

  /** The write, and the thread's row moved with it in Codex's state DB (when there is one), in one transaction. */
  const switchInStateDb =
    <A>(change: CurrentFileChange, write: TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
    async () => {
      // A linked DB refuses the change (nothing written): a row left unmoved would have Codex continue
      // the history the user reverted. No state DB: no Codex has cached this home; the one that comes will scan the files.
      let usable: string | undefined;
      try {
        usable = stateDbOf(codexHome);
      } catch (err) {
        if (!(err instanceof LinkRefused)) return E.left(codexStateError(dbPath, 'open', err));
        return E.left(
          rejected(
            `${err.message}; the thread's row in Codex's state DB cannot follow this change, so nothing was written`,
          ),
        );
      }
      if (usable === undefined) return write();
      let db: SqliteDb;
      try {
        db = openSqlite(dbPath, { timeoutMs: BUSY_TIMEOUT_MS });
        // Codex's own connection settings; the journal mode (WAL) is the file's and stays as Codex set it.
        db.pragma('synchronous = NORMAL');
      } catch (err) {
        return E.left(codexStateError(dbPath, 'open', err));
      }
      let written: E.Either<EngineError, A> | undefined;
      try {
        // IMMEDIATE: Codex's writers wait (up to their busy timeout) while the file is created, so the
        // row cannot move between our look and our update.
        db.exec('BEGIN IMMEDIATE');
        const raw: unknown = db
          .prepare('SELECT id, rollout_path, created_at, created_at_ms FROM threads WHERE id = ?')
          .get(change.threadId);
        let row: ThreadRow | undefined;
        if (raw !== undefined) {
          const decoded = ThreadRow.decode(raw);
          if (E.isLeft(decoded))
            throw corrupt(dbPath, 0, `threads row ${change.threadId}: ${PathReporter.report(decoded).join('; ')}`);
          row = decoded.right;
          // A row naming a file outside this home came with a copied or moved home: it describes
          // no file here, so it is not a disagreement; it takes the revision like any other.
          if (!samePath(row.rollout_path, change.from) && isInsideHome(codexHome, row.rollout_path))
            throw rejected(
              `Codex's state DB (${dbPath}) names ${row.rollout_path} as the current file of thread ${change.threadId}, the engine's history ends in ${change.from}; ` +
                'open the thread in Codex once (or run `rollout-engine index`) and retry',
            );
        }
        written = await write();
        if (E.isLeft(written)) {
          db.exec('ROLLBACK');
          return written;
        }
        if (row !== undefined) {
          const ms = change.at.getTime();
          db.prepare('UPDATE threads SET rollout_path = ?, created_at = ?, created_at_ms = ? WHERE id = ?').run(
            change.to,
            Math.floor(ms / 1000),
            ms,
            change.threadId,
          );
        }
        db.exec('COMMIT');
        return written;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        // A file Codex would not follow is taken back: the two never disagree on the current file.
        if (written !== undefined && E.isRight(written)) rmSync(change.to, { force: true });
        return E.left(codexStateError(dbPath, 'update', err));
      } finally {
        db.close();
      }
    };

  /** A thread's current file switched, unless a Codex holds the thread. */
  const switchCurrentFile = <A>(
    change: CurrentFileChange,
    write: TE.TaskEither<EngineError, A>,
  ): TE.TaskEither<EngineError, A> =>
    useCase(async () => {
      takeNow(refuseIfHeld(change.threadId));
      return take(switchInStateDb(change, write));
    });

  /** One write transaction on Codex's DB, as Codex's writers take it; none when there is no DB. */
  const inTransaction =
    (write: (db: SqliteDb) => void): TE.TaskEither<EngineError, void> =>
    async () => {
      // A DB (or a file beside it) that is a link is not written, as none is: nothing outside the home
      // is. (The rollouts and session_index.jsonl hold the truth; a Codex rebuilding its cache reads them.)
      let usable: string | undefined;
      try {
        usable = stateDbOf(codexHome);
      } catch {
        usable = undefined;
      }
      if (usable === undefined) return E.right(undefined);
      let db: SqliteDb | undefined;
      try {
        db = openSqlite(dbPath, { timeoutMs: BUSY_TIMEOUT_MS });
        db.pragma('synchronous = NORMAL');
        db.exec('BEGIN IMMEDIATE');
        write(db);
        db.exec('COMMIT');
        return E.right(undefined);
      } catch (err) {
        if (db?.inTransaction === true) db.exec('ROLLBACK');
        return E.left(codexStateError(dbPath, 'update', err));
      } finally {
        db?.close();
      }
    };

  const recordName: CodexThreadState['recordName'] = (threadId, mode, name) =>
    inTransaction((db) => {
      // Codex 0.169.0 keeps a paginated thread's name in `name`, a legacy thread's in `title`.
      db.prepare(
        mode === 'paginated' ? 'UPDATE threads SET name = ? WHERE id = ?' : 'UPDATE threads SET title = ? WHERE id = ?',
      ).run(name, threadId);
    });

  // Codex 0.169.0's own fork row (measured): the source's, with the fork's id, file and times,
  // an empty title and first user message, no tokens, no user event, not archived, no name.
  const FORK_OVERRIDES: Readonly<Record<string, string>> = {
    id: '@id',
    rollout_path: '@path',
    created_at: '@seconds',
    updated_at: '@seconds',
    recency_at: '@seconds',
    created_at_ms: '@ms',
    updated_at_ms: '@ms',
    recency_at_ms: '@ms',
    title: "''",
    first_user_message: "''",
    tokens_used: '0',
    has_user_event: '0',
    archived: '0',
    archived_at: 'NULL',
    name: 'NULL',
    is_pinned: '0',
    thread_section_id: 'NULL',
    section_position: 'NULL',
    section_entered_at_ms: 'NULL',
  };
  // What Codex 0.169.0's rows of its review sub-agents hold beside (measured on its inline reviews' sub-agent threads).
  const REVIEW_SUB_AGENT_OVERRIDES: Readonly<Record<string, string>> = {
    ...FORK_OVERRIDES,
    source: '\'{"subagent":"review"}\'',
    thread_source: "'subagent'",
  };

  const recordFork: CodexThreadState['recordFork'] = (fork) =>
    inTransaction((db) => {
      // Whatever columns this Codex's schema has: each copied from the source's row but the ones Codex sets for a fork.
      const columns = (db.prepare('PRAGMA table_info(threads)').all() as Array<{ name: string }>).map((c) => c.name);
      const ms = fork.at.getTime();
      const quotedName = (c: string): string => `"${c.replaceAll('"', '""')}"`;
      const overrides = fork.reviewSubAgent === true ? REVIEW_SUB_AGENT_OVERRIDES : FORK_OVERRIDES;
      db.prepare(
        `INSERT OR IGNORE INTO threads (${columns.map(quotedName).join(', ')}) SELECT ${columns.map((c) => overrides[c] ?? quotedName(c)).join(', ')} FROM threads WHERE id = @source`,
      ).run({ id: fork.threadId, path: fork.path, seconds: Math.floor(ms / 1000), ms, source: fork.sourceThreadId });
    });

  return {
    refuseIfHeld: (threadId) => TE.fromEither(refuseIfHeld(threadId)),
    switchCurrentFile,
    recordName,
    recordFork,
  };
};
