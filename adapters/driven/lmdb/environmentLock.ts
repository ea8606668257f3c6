// Opening and closing the LMDB environment kept apart from write transactions of other processes.
//
// lmdb-js 3.5 (its LMDB 0.9.90), several processes on one environment: a process that opens (or
// closes) the environment while another commits can leave later transactions failing
// ("MDB_BAD_TXN: mdb_page_touch no parent") or a table's msgpack record structures overwritten,
// so that rows written before no longer decode ("Data read, but end of buffer not reached").
// It needs no engine code around lmdb-js to happen, and did not once every open and close was kept
// apart from every write transaction (docs/durability.md#opening-beside-a-writer). So each open and
// close here waits until no write transaction of any process runs, and each write transaction
// waits while one opens or closes.
//
// The lock is SQLite's on a small DB beside LMDB's files (ENVIRONMENT_LOCK): its locks are the
// kernel's (a process that dies holds none), SQLite keeps the connections of one process (and its
// worker threads) apart itself, and a waiting exclusive lock holds off new shared ones (PENDING).
// A write transaction takes the shared side through a connection its store keeps open.
import * as nodePath from 'node:path';
import { refuseLinkSync } from '../fs/noFollow.js';
import { openSqlite, sqliteDriver } from '../sqlite/sqliteDb.js';
import type { SqliteDb } from '../sqlite/sqliteDb.js';
import { ENVIRONMENT_LOCK } from './environmentFolder.js';

/**
 * How long an open, a close or a write transaction waits for the other side (a write transaction
 * of another process can be long: a token catch-up reads files in place inside one). Past it, the
 * wait fails as SQLite's "database is locked".
 */
export const LOCK_WAIT_MS = 10 * 60 * 1000;

/** SQLite's "database is locked" (better-sqlite3's `SQLITE_BUSY`, node:sqlite's errcode 5). */
const isBusy = (err: unknown): boolean => {
  const e = err as { readonly code?: unknown; readonly errcode?: unknown; readonly message?: unknown };
  return (
    e?.code === 'SQLITE_BUSY' ||
    e?.errcode === 5 ||
    (typeof e?.message === 'string' && /database is locked/.test(e.message))
  );
};

/** Take a side of the lock; a wait past `waitMs` fails, named for what it waited on. */
const take = (db: SqliteDb, sql: 'BEGIN' | 'BEGIN EXCLUSIVE', waitMs: number): void => {
  try {
    db.exec(sql);
    // BEGIN takes no lock: a read takes SQLite's SHARED one.
    if (sql === 'BEGIN') db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw isBusy(err)
      ? Object.assign(
          new Error(
            `another process kept the index's environment lock past ${waitMs} ms (opening or closing the index, or in a write transaction)`,
          ),
          { code: 'EBUSY' },
        )
      : err;
  }
};

/**
 * Whether SQLite is here to lock with. Node 20 without better-sqlite3 (an offline install,
 * docs/install.md) has none: the index is then opened and written unlocked, as before this lock,
 * and the process says so once on stderr.
 */
let lockable: boolean | undefined;
const canLock = (): boolean => {
  if (lockable === undefined) {
    try {
      sqliteDriver();
      lockable = true;
    } catch (err) {
      lockable = false;
      process.emitWarning(
        `the index is opened and written without its environment lock (another process opening it meanwhile can damage it): ${
          err instanceof Error ? err.message : String(err)
        }`,
      );
    }
  }
  return lockable;
};

const connect = (dir: string, waitMs: number): SqliteDb => {
  const file = nodePath.join(dir, ENVIRONMENT_LOCK);
  // SQLite opens its file by path, following links: a link there is refused first (as LMDB's files are).
  refuseLinkSync(file, 'file');
  return openSqlite(file, { mustExist: false, timeoutMs: waitMs });
};

/**
 * Hold the environment at `dir` exclusively (no other process opens, closes or writes it) until
 * the returned function lets go; nothing to let go where SQLite is not here (`canLock`).
 */
const takeExclusive = (dir: string, waitMs: number): (() => void) => {
  if (!canLock()) return () => undefined;
  letGoShared(dir);
  const db = connect(dir, waitMs);
  try {
    take(db, 'BEGIN EXCLUSIVE', waitMs);
  } catch (err) {
    db.close();
    throw err;
  }
  return () => {
    try {
      db.exec('COMMIT');
    } finally {
      db.close();
    }
  };
};

/** Run `fn` with the environment at `dir` held exclusively. */
export const whileExclusive = async <A>(dir: string, fn: () => A | Promise<A>, waitMs = LOCK_WAIT_MS): Promise<A> => {
  const letGo = takeExclusive(dir, waitMs);
  try {
    return await fn();
  } finally {
    letGo();
  }
};

/** `whileExclusive` for a synchronous `fn` (an open, a remap between transactions). */
export const whileExclusiveSync = <A>(dir: string, fn: () => A, waitMs = LOCK_WAIT_MS): A => {
  const letGo = takeExclusive(dir, waitMs);
  try {
    return fn();
  } finally {
    letGo();
  }
};

/**
 * The shared side, for one store's write transactions. Taking it costs SQLite a lock and a read of
 * its first page: once taken it is kept to the end of the event-loop turn (a catch-up commits many
 * transactions in one), then let go. An exclusive request of this thread lets go of this thread's
 * first (`whileExclusive`): its connection would otherwise wait on this one.
 */
export interface SharedEnvironmentLock {
  readonly during: <A>(fn: () => A) => A;
  readonly close: () => void;
}

/** This thread's shared holds, by environment folder. */
const heldShared = new Map<string, Set<() => void>>();
const letGoShared = (dir: string): void => {
  for (const letGo of [...(heldShared.get(dir) ?? [])]) letGo();
};

export const sharedEnvironmentLock = (dir: string, waitMs = LOCK_WAIT_MS): SharedEnvironmentLock => {
  let db: SqliteDb | undefined;
  let held = false;
  const letGo = (): void => {
    if (!held) return;
    held = false;
    heldShared.get(dir)?.delete(letGo);
    db?.exec('COMMIT');
  };
  return {
    during: (fn) => {
      if (!held && canLock()) {
        db ??= connect(dir, waitMs);
        take(db, 'BEGIN', waitMs);
        held = true;
        let holds = heldShared.get(dir);
        if (holds === undefined) heldShared.set(dir, (holds = new Set()));
        holds.add(letGo);
        setImmediate(letGo);
      }
      return fn();
    },
    close: () => {
      letGo();
      db?.close();
      db = undefined;
    },
  };
};
