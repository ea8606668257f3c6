// SQLite for Codex's state DB (`state_5.sqlite`), through whichever driver the running Node has
// (issue 72): its built-in `node:sqlite` (22.13 and later: nothing to compile or download at
// install), else better-sqlite3 (Node 20; an optional dependency, compiled or fetched prebuilt at
// install). Both are SQLite's C library under a synchronous API; this is the subset the adapters
// use, with the same connection settings on either: a busy timeout (sqlite3_busy_timeout, what
// better-sqlite3's `timeout` sets), read-only opens, a file that must exist (never created in
// Codex's home), and transactions as SQL (`BEGIN IMMEDIATE`/`COMMIT`/`ROLLBACK`).
// `ROLLOUT_ENGINE_SQLITE=better-sqlite3|node:sqlite` picks one (tests compare the two).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

export type SqliteDriver = 'node:sqlite' | 'better-sqlite3';

export interface SqliteRunResult {
  readonly changes: number | bigint;
  readonly lastInsertRowid: number | bigint;
}

/** A prepared statement: positional parameters, or one object of named ones (`@name` in the SQL, `{ name }` here). */
export interface SqliteStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): SqliteRunResult;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

export interface SqliteDb {
  readonly driver: SqliteDriver;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `PRAGMA <setting>`'s rows (none for a setting that returns none). */
  pragma(setting: string): unknown[];
  /** Inside a transaction (SQLite not in autocommit mode): after an error SQLite may have rolled back itself. */
  readonly inTransaction: boolean;
  close(): void;
}

export interface SqliteOpenOptions {
  readonly readonly?: boolean;
  /** Busy timeout, ms (sqlite3_busy_timeout): how long a statement waits for another connection's lock; better-sqlite3's default, 5 s, unless named. */
  readonly timeoutMs?: number;
  /** False: created where missing (tests' own DBs). Default true: the engine never creates a DB in Codex's home. */
  readonly mustExist?: boolean;
}

// node:sqlite's API as used here (@types/node 20 declares no node:sqlite).
interface NodeStatement {
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): SqliteRunResult;
  iterate(...params: unknown[]): IterableIterator<unknown>;
}
interface NodeDatabase {
  prepare(sql: string): NodeStatement;
  exec(sql: string): void;
  close(): void;
  /** 22.16 / 24 and later. */
  readonly isTransaction?: boolean;
  /** 24 and later. */
  deserialize?(bytes: Uint8Array): void;
}
interface NodeSqliteModule {
  readonly DatabaseSync: new (location: string, options?: { readonly readOnly?: boolean }) => NodeDatabase;
}

/** The ExperimentalWarning Node 22 prints when node:sqlite first loads (24 and 26 print none). */
const isSqliteExperimentalWarning = (warning: string | Error, typeOrOptions: unknown): boolean => {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type =
    typeof typeOrOptions === 'string'
      ? typeOrOptions
      : typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions
        ? (typeOrOptions as { type?: unknown }).type
        : typeof warning === 'string'
          ? undefined
          : warning.name;
  return type === 'ExperimentalWarning' && message.startsWith('SQLite is an experimental feature');
};

/**
 * node:sqlite, or undefined where this Node has none (20). Node 22 warns once on its first load
 * (lib/internal/util.js emitExperimentalWarning → process.emitWarning): that one warning is
 * dropped while it loads, so the CLI's stderr stays clean; every other warning passes.
 */
const loadNodeSqlite = (): NodeSqliteModule | undefined => {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (getBuiltin === undefined) return undefined;
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    (emit as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    return getBuiltin.call(process, 'node:sqlite') as NodeSqliteModule | undefined;
  } finally {
    process.emitWarning = emit;
  }
};

type BetterSqlite3Constructor = typeof BetterSqlite3;

// Loaded on first use only: a command that opens no DB loads neither driver.
let chosen:
  | { readonly driver: 'node:sqlite'; readonly lib: NodeSqliteModule }
  | { readonly driver: 'better-sqlite3'; readonly lib: BetterSqlite3Constructor }
  | undefined;

const driverMissing = (): Error =>
  new Error(
    `Codex's state DB needs SQLite: this Node (${process.version}) has no node:sqlite (22.13 and later do) and better-sqlite3 is not installed ` +
      "(on Node 20 it installs from its prebuilt, or compiles against Node's headers: docs/install.md#node-20-offline)",
  );

const driver = (): NonNullable<typeof chosen> => {
  if (chosen !== undefined) return chosen;
  const wanted = process.env['ROLLOUT_ENGINE_SQLITE'];
  const nodeSqlite = wanted === 'better-sqlite3' ? undefined : loadNodeSqlite();
  if (nodeSqlite !== undefined) return (chosen = { driver: 'node:sqlite', lib: nodeSqlite });
  if (wanted === 'node:sqlite')
    throw new Error(`ROLLOUT_ENGINE_SQLITE=node:sqlite: this Node (${process.version}) has no node:sqlite`);
  return (chosen = { driver: 'better-sqlite3', lib: loadBetterSqlite3() });
};

/** better-sqlite3, or the error that says how to install it. */
const loadBetterSqlite3 = (): BetterSqlite3Constructor => {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as BetterSqlite3Constructor;
  } catch (err) {
    throw Object.assign(driverMissing(), { cause: err });
  }
};

/** The driver this process uses (loads it). */
export const sqliteDriver = (): SqliteDriver => driver().driver;

const fromBetterSqlite3 = (db: BetterSqlite3.Database): SqliteDb => ({
  driver: 'better-sqlite3',
  prepare: (sql) => db.prepare(sql) as unknown as SqliteStatement,
  exec: (sql) => void db.exec(sql),
  pragma: (setting) => db.pragma(setting) as unknown[],
  get inTransaction() {
    return db.inTransaction;
  },
  close: () => void db.close(),
});

const fromNodeSqlite = (db: NodeDatabase): SqliteDb => ({
  driver: 'node:sqlite',
  prepare: (sql) => db.prepare(sql),
  exec: (sql) => db.exec(sql),
  pragma: (setting) => db.prepare(`PRAGMA ${setting}`).all(),
  get inTransaction() {
    if (db.isTransaction !== undefined) return db.isTransaction;
    // Node 22.13–22.15 tells no autocommit state: BEGIN fails exactly inside a transaction; outside, the empty deferred one takes no lock.
    try {
      db.exec('BEGIN');
    } catch {
      return true;
    }
    db.exec('COMMIT');
    return false;
  },
  close: () => db.close(),
});

/**
 * Opens the DB file at `path` by name (callers refuse links first: `stateDbOf`). Where it must
 * exist (the default) a missing file fails the open, as better-sqlite3's `fileMustExist`:
 * node:sqlite opens a `file:` URI with `mode=rw`/`mode=ro`, which SQLite never creates.
 */
export const openSqlite = (path: string, options: SqliteOpenOptions = {}): SqliteDb => {
  const { readonly = false, timeoutMs = 5_000, mustExist = true } = options;
  const d = driver();
  if (d.driver === 'better-sqlite3') {
    const db = new d.lib(path, { readonly, fileMustExist: mustExist, timeout: timeoutMs });
    return fromBetterSqlite3(db);
  }
  const location = mustExist ? `${pathToFileURL(path).href}?mode=${readonly ? 'ro' : 'rw'}` : path;
  const db = new d.lib.DatabaseSync(location, { readOnly: readonly });
  try {
    // node:sqlite waits for no lock unless told (its `timeout` option is 22.16+): the pragma is the same sqlite3_busy_timeout.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(timeoutMs))}`);
  } catch (err) {
    db.close();
    throw err;
  }
  return fromNodeSqlite(db);
};

/**
 * A DB held in memory from a copy of its file's bytes, read only (nothing is written in the DB's
 * home, nor anywhere else: a file outside the home and the index folder is not ours to write).
 * node:sqlite before 24 has no `deserialize`: better-sqlite3 reads the bytes where it is installed
 * (an optional dependency); where it is not, the DB cannot be read from memory on this Node, and
 * the error says so.
 */
export const openSqliteBytes = (bytes: Buffer): SqliteDb => {
  const d = driver();
  if (d.driver === 'better-sqlite3') return fromBetterSqlite3(new d.lib(bytes, { readonly: true }));
  const memory = new d.lib.DatabaseSync(':memory:');
  if (memory.deserialize === undefined) {
    memory.close();
    // better-sqlite3 loads its native part at its first construction: a build for another Node fails there.
    try {
      return fromBetterSqlite3(new (loadBetterSqlite3())(bytes, { readonly: true }));
    } catch (err) {
      throw new Error(
        `a SQLite DB is read from memory only by node:sqlite 24 and later or by better-sqlite3: this Node (${process.version}) has no such node:sqlite, and better-sqlite3 did not open it (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
        { cause: err },
      );
    }
  }
  try {
    memory.deserialize(bytes);
  } catch (err) {
    memory.close();
    throw err;
  }
  return fromNodeSqlite(memory);
};
