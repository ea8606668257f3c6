// Codex's state DB (`state_5.sqlite` in CODEX_HOME): where it is, opened only when it is no link,
// and the times of the rows it holds (issue 69): a thread Codex took from its file answers that
// file's mtime, not its lines (domain/thread/codexRowTimes.ts). Read only here: the DB is Codex's
// (adapters/driven/codexState/ writes the rows the engine's mutations move), and a reader in its WAL
// blocks no writer.
import { join } from 'node:path';
import { closeSync, lstatSync, readdirSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import type { CodexRowTimesOf } from '../../../domain/thread/codexRowTimes.js';
import { codexRowTimesOf } from '../../../domain/thread/codexRowTimes.js';
import { LinkRefused, toEngineError } from './fsError.js';
import { createExclusiveNoFollowSync, refuseLinkSync } from './noFollow.js';
import { openToReadSync, readBytesBelow } from './heldRead.js';
import { openSqlite, openSqliteBytes, type SqliteDb } from '../sqlite/sqliteDb.js';

/** The state DB of the Codex this engine follows (0.169: `state_5.sqlite`, beside the sessions). */
export const CODEX_STATE_DB = 'state_5.sqlite';
/** SQLite's files beside a DB (WAL mode's, a rollback journal's), which it opens by name like the DB. */
const SQLITE_SIDE_FILES = ['', '-wal', '-shm', '-journal'] as const;

/**
 * The home's state DB, or undefined when there is none. SQLite (either driver) opens by name and follows
 * links (it takes no descriptor, so `heldRead.ts` cannot open it): the DB and each file SQLite keeps
 * beside it must be, where present, a regular file at its own name, not a link (a FIFO would block
 * SQLite's open), else `LinkRefused` before SQLite opens anything: no row is written, or read,
 * outside the home through a link planted there.
 */
export const stateDbOf = (codexHome: string): string | undefined => {
  const path = join(codexHome, CODEX_STATE_DB);
  for (const suffix of SQLITE_SIDE_FILES) refuseLinkSync(`${path}${suffix}`, 'file');
  return lstatSync(path, { throwIfNoEntry: false }) === undefined ? undefined : path;
};

/** How recent a folder's change may be and its stamp still vouch for it: a change within the same timestamp tick as a stat shows no new stamp. */
const SETTLED_MS = 2_000;
/** Homes whose state DB answers are kept (the homes a process serves: a few). */
const KEPT_HOMES = 16;
const kept = new Map<string, { readonly stamp: string; readonly path: string | undefined }>();

/**
 * `stateDbOf`, kept while the home folder's stamp stays: a DB or side file made, removed, renamed
 * or swapped for a link changes the folder's mtime and ctime, so a stamp unchanged (and older than
 * SETTLED_MS) says the answer holds. One stat of the folder instead of `stateDbOf`'s five lstats,
 * on every `thread/list` (followCodexRows): those were 5% of a closed loop's time (measured in the commit that made it).
 * A refusal is not kept. Reads only: a write through SQLite asks `stateDbOf` itself, right before it opens.
 */
export const stateDbSeen = (codexHome: string): string | undefined => {
  const st = statSync(codexHome, { bigint: true });
  const stamp = `${st.dev}:${st.ino}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = kept.get(codexHome);
  if (known !== undefined && known.stamp === stamp) return known.path;
  const path = stateDbOf(codexHome);
  kept.delete(codexHome);
  if (Date.now() - Number(st.mtimeMs) >= SETTLED_MS) {
    if (kept.size >= KEPT_HOMES) kept.delete(kept.keys().next().value!);
    kept.set(codexHome, { stamp, path });
  }
  return path;
};

/**
 * A `threads` row's times as read (0.169's `_ms` columns; a DB older Codex left unmigrated has only
 * seconds), and its `name` (null where the DB has no such column).
 */
const ThreadsRow = t.type({
  id: t.string,
  updated: t.union([t.number, t.null]),
  recency: t.union([t.number, t.null]),
  name: t.union([t.string, t.null]),
});

/**
 * What thread rows take of Codex's state DB: each row's times (`codexRowTimesOf`), and the names
 * its `name` column holds (a paginated thread's name: Codex 0.169 answers it from there alone;
 * measured: paginatedNames.compat). A thread with no row, or a null name, is absent.
 */
export interface CodexRows {
  readonly times: ReadonlyMap<string, CodexRowTimesOf>;
  readonly names: ReadonlyMap<string, string>;
  /** The signature of the DB's files taken before they were read (`stateDbSignature`); null without a DB. */
  readonly signature: string | null;
}

/**
 * A copy of a DB file whose header says WAL (bytes 18 and 19: 2) marked as a rollback-journal DB
 * (1): SQLite opens no WAL database from memory, and with no WAL beside it the file holds every row.
 */
const asRollbackJournal = (bytes: Buffer): Buffer => {
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes[18] = bytes[19] = 1;
  return bytes;
};

/** Where this process may copy a home's state DB to read it (`stateDbCopiesIn`), by home. */
const copyFolders = new Map<string, { readonly folder: string; readonly root: string }>();
/** A copy's name: the process and a count, so that processes sharing an index folder never meet. */
const COPY_PREFIX = 'codex-state-copy-';
let copies = 0;
/** A copy this old is a crashed process's (a copy lives while one read of the DB runs). */
const COPY_LEFT_MS = 10 * 60_000;
/** Bytes copied a read. */
const COPY_CHUNK = 1 << 20;

/**
 * Let the state DB of `codexHome` be read from a copy in `folder` (the home's index folder, below
 * `root`) when Codex left it without its WAL files. SQLite cannot open such a DB in place without
 * making those files in Codex's home; read into memory instead, its bytes and SQLite's own copy of
 * them cost the process twice the DB (the DB of 91,177 threads is 192 MB), where from a file SQLite
 * reads only the pages of the rows asked, through a small cache. Copies a crashed process left are
 * removed here.
 */
export const stateDbCopiesIn = (codexHome: string, folder: string, root: string): void => {
  if (copyFolders.get(codexHome)?.folder === folder) return;
  copyFolders.set(codexHome, { folder, root });
  try {
    for (const name of readdirSync(folder)) {
      if (!name.startsWith(COPY_PREFIX)) continue;
      const path = join(folder, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st?.isFile() === true && Date.now() - st.mtimeMs > COPY_LEFT_MS) unlinkSync(path);
    }
  } catch {
    // Nothing to sweep where the folder cannot be listed: the next copy fails the same way and reads in memory.
  }
};

/** Codex's DB file's bytes (read without following a link below the home) written to `out`, marked as a rollback-journal DB. */
const copyAsRollbackJournal = (codexHome: string, path: string, out: number): void => {
  const src = openToReadSync(path, codexHome);
  try {
    const chunk = Buffer.allocUnsafe(COPY_CHUNK);
    for (let at = 0; ;) {
      const n = readSync(src, chunk, 0, COPY_CHUNK, at);
      if (n === 0) return;
      if (at === 0) asRollbackJournal(chunk.subarray(0, n));
      for (let written = 0; written < n;) written += writeSync(out, chunk, written, n - written, at + written);
      at += n;
    }
  } finally {
    closeSync(src);
  }
};

/** `db`, and `after` once it is closed. */
const closingThen = (db: SqliteDb, after: () => void): SqliteDb => ({
  driver: db.driver,
  prepare: (sql) => db.prepare(sql),
  exec: (sql) => db.exec(sql),
  pragma: (setting) => db.pragma(setting),
  get inTransaction() {
    return db.inTransaction;
  },
  close: () => {
    try {
      db.close();
    } finally {
      after();
    }
  },
});

/** Remove `path` if it is there. */
const removeCopy = (path: string): boolean => {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Codex's DB when no WAL file lies beside it: every row is in the DB file. From a copy in the home's
 * index folder (`stateDbCopiesIn`), removed once SQLite holds it open (or, where an open file cannot
 * go, at close); where no folder was given or the copy cannot be made (a full disk, a folder not
 * ours to write), from its bytes in memory.
 */
const openWithoutWal = async (codexHome: string, path: string): Promise<SqliteDb> => {
  const at = copyFolders.get(codexHome);
  if (at !== undefined) {
    const copy = join(at.folder, `${COPY_PREFIX}${process.pid}-${++copies}.sqlite`);
    let made = false;
    try {
      const out = createExclusiveNoFollowSync(at.root, copy);
      made = true;
      try {
        copyAsRollbackJournal(codexHome, path, out);
      } finally {
        closeSync(out);
      }
      const db = openSqlite(copy, { readonly: true });
      return removeCopy(copy) ? db : closingThen(db, () => removeCopy(copy));
    } catch {
      // Read in memory below: a DB that cannot be read fails there the same way.
      if (made) removeCopy(copy);
    }
  }
  return openSqliteBytes(asRollbackJournal(await readBytesBelow(codexHome, path)));
};

/** The WAL index header's bytes in the shared-memory file: its two copies, with the change counter every commit moves (SQLite's wal.c, WalIndexHdr). */
const WAL_INDEX_HEADER_BYTES = 96;

/** The WAL index header of `shm` (its first bytes), opened without following a link; '-' where it cannot be read. */
const walIndexHeaderOf = (shm: string, codexHome: string): string => {
  let fd: number;
  try {
    fd = openToReadSync(shm, codexHome);
  } catch {
    return '-';
  }
  try {
    const header = Buffer.alloc(WAL_INDEX_HEADER_BYTES);
    return header.subarray(0, readSync(fd, header, 0, WAL_INDEX_HEADER_BYTES, 0)).toString('hex');
  } finally {
    closeSync(fd);
  }
};

/**
 * The DB's files as last read: the DB's and its WAL's device, inode, size and mtime, and the WAL
 * index header in its shared memory (its change counter moves with every commit); equal, the rows
 * read then hold. No ctime and no time of the shared memory: a reader's own open moves them (SQLite
 * chowns its WAL and shm when run as root, and writes its read marks into the shm), which made
 * every list read the whole DB again.
 */
const signatureOf = (path: string, codexHome: string): string =>
  SQLITE_SIDE_FILES.slice(0, 3)
    .map((suffix) => {
      const st = lstatSync(`${path}${suffix}`, { throwIfNoEntry: false });
      if (st === undefined) return '-';
      return suffix === '-shm'
        ? walIndexHeaderOf(`${path}${suffix}`, codexHome)
        : `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
    })
    .join('|');

/** The rows read last per DB, by the signature its files had: a catch-up of an unchanged home reads no row again. */
const lastRead = new Map<string, { readonly signature: string; readonly rows: CodexRows }>();

const NO_ROWS: CodexRows = { times: new Map(), names: new Map(), signature: null };

/**
 * The signature of the home's state DB's files now (`signatureOf`), which `readCodexRows` took
 * before its reading: equal, the rows it read then hold. Undefined without a DB, or where one is
 * refused (a link).
 */
export const stateDbSignature = (codexHome: string): string | undefined => {
  try {
    const path = stateDbSeen(codexHome);
    return path === undefined ? undefined : signatureOf(path, codexHome);
  } catch {
    return undefined;
  }
};

/**
 * Every thread's row times in the home's state DB, by thread id; empty without a DB. A DB SQLite
 * cannot read (not a database, locked past its busy timeout) holds no row we can go by: Codex
 * rebuilds such a cache from the files, which is what no row answers. A DB, or a file SQLite keeps
 * beside it, that is a link is refused (`stateDbOf`): nothing outside the home is read.
 */
export const readCodexRowTimes = async (
  codexHome: string,
): Promise<E.Either<EngineError, ReadonlyMap<string, CodexRowTimesOf>>> =>
  E.map((rows: CodexRows) => rows.times)(await readCodexRows(codexHome));

/** Every thread's row times and name in the home's state DB (`CodexRows`), as `readCodexRowTimes` reads them. */
export const readCodexRows = async (codexHome: string): Promise<E.Either<EngineError, CodexRows>> => {
  let path: string | undefined;
  try {
    path = stateDbSeen(codexHome);
  } catch (err) {
    if (err instanceof LinkRefused) return E.left(toEngineError(err.path, 'open')(err));
    throw err;
  }
  if (path === undefined) return E.right(NO_ROWS);
  const signature = signatureOf(path, codexHome);
  const known = lastRead.get(path);
  if (known !== undefined && known.signature === signature) return E.right(known.rows);
  const rows = new Map<string, CodexRowTimesOf>();
  const names = new Map<string, string>();
  let db: SqliteDb | undefined;
  try {
    // A reader of a WAL DB needs its WAL and shared-memory files, which SQLite creates where they are
    // missing (and a read-only connection leaves behind): where Codex left none, every row is in the
    // DB file, read as a copy in memory, so no file of Codex's home is created.
    const withWal = signature
      .split('|')
      .slice(1)
      .every((s) => s !== '-');
    db = withWal ? openSqlite(path, { readonly: true, timeoutMs: 5_000 }) : await openWithoutWal(codexHome, path);
    const columns = new Set(
      (db.prepare('PRAGMA table_info(threads)').all() as Array<{ name: string }>).map((c) => c.name),
    );
    const pick = (ms: string, seconds: string): string =>
      columns.has(ms) ? ms : columns.has(seconds) ? `${seconds} * 1000` : 'NULL';
    const updated = pick('updated_at_ms', 'updated_at');
    // Before recency_at, Codex ordered by updated_at: a row migrated to it takes that.
    const recency =
      columns.has('recency_at_ms') || columns.has('recency_at') ? pick('recency_at_ms', 'recency_at') : updated;
    const name = columns.has('name') ? 'name' : 'NULL';
    for (const raw of db
      .prepare(`SELECT id, ${updated} AS updated, ${recency} AS recency, ${name} AS name FROM threads`)
      .all()) {
      const row = ThreadsRow.decode(raw);
      if (E.isLeft(row)) continue;
      if (row.right.name !== null) names.set(row.right.id, row.right.name);
      if (row.right.updated === null || row.right.recency === null) continue;
      rows.set(row.right.id, codexRowTimesOf({ updatedMs: row.right.updated, recencyMs: row.right.recency }));
    }
  } catch {
    rows.clear();
    names.clear();
  } finally {
    db?.close();
  }
  const read: CodexRows = { times: rows, names, signature };
  lastRead.set(path, { signature, rows: read });
  return E.right(read);
};
