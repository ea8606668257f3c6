import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { refuseLinkSync } from '../fs/noFollow.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { open, TransactionFlags } from 'lmdb';
import type { Database, RangeOptions, RootDatabase } from 'lmdb';
import type { EngineError } from '../../../domain/errors.js';
import { ROWS_BETWEEN_UNMAPS } from '../../../domain/ports.js';
import type { IndexStore } from '../../../domain/ports.js';
import type { IndexReader, IndexWrite, KeyPart, TableName } from '../../../domain/index/rows.js';
import { TABLES } from '../../../domain/index/rows.js';
import { DROP_CHECKPOINT_VOUCHED, movesCheckpoints } from '../../../domain/index/homeStats.js';
import { DB_NAMES, KEY_MAX } from './schema.js';
import {
  STRUCTURES_KEY,
  forgetStructures,
  forgetTableStructures,
  isStructuresMismatch,
  shownKey,
  undecodableRow,
} from './recordStructures.js';
import { lmdbError } from './errors.js';
import { writeMarkOf } from './writeMark.js';
import { PRIVATE_DIR_MODE, claimIndexFolder, damagedEnvironment, keepPrivate } from './indexFolder.js';
import { LMDB_FILES } from './environmentFolder.js';
import { LOCK_WAIT_MS, sharedEnvironmentLock, whileExclusive, whileExclusiveSync } from './environmentLock.js';

type Key = ReadonlyArray<KeyPart>;

/** lmdb returns a one-part array key as its bare value. */
const norm = (k: unknown): Key => (Array.isArray(k) ? (k as Key) : [k as KeyPart]);

const hasPrefix = (key: Key, prefix: Key): boolean => prefix.every((p, i) => key[i] === p);

/** A table's record structures live under a symbol key (STRUCTURES_KEY) that ranges must skip. */
const isRowKey = (k: unknown): boolean => typeof k !== 'symbol';

export interface LmdbIndexStore extends IndexStore {
  readonly path: string;
  /** Synchronous reader (for use inside other lmdb transactions, e.g. the lease). */
  readonly reader: IndexReader;
  /** Run `fn` inside one synchronous write transaction (lease, migrations). */
  readonly transact: <A>(
    op: string,
    fn: (reader: IndexReader, write: (w: IndexWrite) => void) => A,
  ) => E.Either<EngineError, A>;
  /**
   * Close and reopen the environment (between transactions, with no read in flight). The map's
   * pages a writer has touched stay resident until it is unmapped: a long build remaps now and
   * then so they do not add up to the whole index in its RSS. An environment smaller than
   * REMAP_FROM_BYTES is left mapped: its pages are at most that, and a reopening is not free.
   */
  readonly remap: () => E.Either<EngineError, void>;
}

/**
 * Below this size the environment's file is not remapped: all its pages resident cost less than
 * the reopenings (the environment and each of its tables, a real share of a warm `tokens` run on a
 * small home).
 */
const REMAP_FROM_BYTES = 8 * 1024 * 1024;

/**
 * Address space reserved for the map (not disk: the file grows with the data). lmdb starts at
 * 128 KiB and grows the map by remapping, keeping every earlier mapping alive; the pages touched
 * through those stay resident beside the new ones, so an index cost more RSS than its size. One map
 * large enough for any index we expect is mapped once (lmdb still grows it past this if needed).
 */
const MAP_SIZE = 2 ** 36;

interface Handles {
  readonly root: RootDatabase;
  readonly dbs: Record<TableName, Database>;
  /** The inode of the `data.mdb` these handles map, stated as they opened it (its write mark's file). */
  readonly fileIno: number;
}

const openHandles = (dir: string): Handles => {
  const root: RootDatabase = open({ path: dir, noSubdir: false, maxDbs: 40, compression: false, mapSize: MAP_SIZE });
  const dbs = {} as Record<TableName, Database>;
  // Shared record structures: a row's field names are stored once per table, not in every value
  // (which halved the index and its encoding time).
  // All in one write transaction: lmdb-js opens each db in a transaction of its own, a commit each
  // (a fresh index's tables cost a commit each at every open and remap).
  root.transactionSync(() => {
    for (const t of TABLES) dbs[t] = root.openDB({ name: DB_NAMES[t], sharedStructuresKey: STRUCTURES_KEY });
  }, TransactionFlags.NO_SYNC_FLUSH);
  return { root, dbs, fileIno: fs.statSync(nodePath.join(dir, 'data.mdb')).ino };
};

/**
 * Open (creating if needed, with its marker: indexFolder.ts) the LMDB environment at `dir` with one
 * named db per table; a folder that is not the engine's is refused. `lockWaitMs`: how long its
 * opening, closing and write transactions wait for other processes' (environmentLock.ts).
 */
export const openLmdbIndex = (dir: string, lockWaitMs = LOCK_WAIT_MS): TE.TaskEither<EngineError, LmdbIndexStore> =>
  TE.fromEither(
    E.tryCatch(
      () => {
        // lmdb-js opens its files itself, following links: a link at the folder or its files is refused first.
        refuseLinkSync(dir, 'folder');
        for (const f of LMDB_FILES) refuseLinkSync(nodePath.join(dir, f), 'file');
        // Only a folder the engine made (or an absent one, created with its marker): never a user's.
        claimIndexFolder(dir, PRIVATE_DIR_MODE);
        const damaged = damagedEnvironment(dir);
        if (damaged !== undefined) throw damaged;
        // Opened while no other process writes it (environmentLock.ts).
        const store = makeStore(
          dir,
          whileExclusiveSync(dir, () => openHandles(dir), lockWaitMs),
          lockWaitMs,
        );
        keepPrivate(dir);
        return store;
      },
      lmdbError(dir, 'open'),
    ),
  );

/**
 * LMDB's largest key (lmdb-js's default `maxKeySize`), less room for the ordered-binary encoding
 * of the parts. No row can have a key longer than this, so a lookup by one (a 10 MB thread id from
 * a request) finds nothing instead of failing inside LMDB.
 */
const MAX_KEY_BYTES = 1900;
const storable = (key: ReadonlyArray<KeyPart>): boolean => {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: the usual short key is sized without encoding it.
  let most = 0;
  for (const p of key) most += typeof p === 'string' ? p.length * 3 + 1 : 9;
  if (most <= MAX_KEY_BYTES) return true;
  let bytes = 0;
  for (const p of key) bytes += typeof p === 'string' ? Buffer.byteLength(p) + 1 : 9;
  return bytes <= MAX_KEY_BYTES;
};

/** lmdb-js's range options for these bounds, one literal a case: a range is set up at every read of a page (spreads cost). */
const rangeOptions = (from: Key | undefined, end: Key | undefined, reverse: boolean): RangeOptions => {
  if (from === undefined) return end === undefined ? { reverse } : { end: [...end], reverse };
  return end === undefined ? { start: [...from], reverse } : { start: [...from], end: [...end], reverse };
};

// long: a port's factory: the methods it returns share its closure's state
const makeStore = (path: string, opened: Handles, lockWaitMs: number): LmdbIndexStore => {
  // Replaced by `remap`; every operation reads the current handles.
  let h = opened;
  const keysOf = (table: TableName, prefix: Key): Key[] => {
    const db = h.dbs[table];
    const range = prefix.length === 0 ? db.getKeys({}) : db.getKeys({ start: [...prefix], end: [...prefix, KEY_MAX] });
    const out: Key[] = [];
    for (const k of range) {
      if (!isRowKey(k)) continue;
      const key = norm(k as unknown);
      if (hasPrefix(key, prefix)) out.push(key);
    }
    return out;
  };
  /**
   * The rows of `table` from `start` to `end` (the whole table without them) whose keys start with
   * `prefix`: what `range`, `scan` and `dump` read, the structures key and keys the bounds let in
   * around the prefix passed over. A row that does not decode with the structures its table's
   * encoder holds is read again once they are forgotten (reloaded from what is committed): a process
   * whose structures went out of step with the index's (another writer's, a transaction that did not
   * commit) reads on instead of failing at every read until it restarts. A row that still does not
   * decode fails, named (undecodableRow).
   */
  function* rowsIn(
    table: TableName,
    prefix: Key,
    start: Key | undefined,
    end: Key | undefined,
    reverse: boolean,
  ): Generator<{ readonly key: Key; readonly value: unknown }> {
    let from = start;
    /** The last row read: a range read again resumes after it. */
    let last: Key | undefined;
    let reloaded = false;
    for (;;) {
      const skip = last === undefined ? undefined : JSON.stringify(last);
      try {
        const range = h.dbs[table].getRange(rangeOptions(from, end, reverse));
        for (const { key, value } of range) {
          if (!isRowKey(key)) continue;
          const k = norm(key);
          if (skip !== undefined && JSON.stringify(k) === skip) continue;
          last = k;
          if (hasPrefix(k, prefix)) yield { key: k, value };
        }
        return;
      } catch (err) {
        if (!isStructuresMismatch(err)) throw err;
        if (reloaded)
          throw undecodableRow(
            table,
            last !== undefined ? `the one after key ${shownKey(last)}` : `the first from ${shownKey(from ?? [])}`,
            err,
          );
        reloaded = true;
        forgetTableStructures(h.dbs[table]);
        from = last ?? from;
      }
    }
  }
  /** One row; one that does not decode is read again once its table's structures are reloaded (rowsIn). */
  const getRow = (table: TableName, key: Key): unknown => {
    const k = (key.length === 1 ? key[0] : [...key]) as never;
    try {
      return h.dbs[table].get(k);
    } catch (err) {
      if (!isStructuresMismatch(err)) throw err;
      forgetTableStructures(h.dbs[table]);
      try {
        return h.dbs[table].get(k);
      } catch (again) {
        throw isStructuresMismatch(again) ? undecodableRow(table, `key ${shownKey(key)}`, again) : again;
      }
    }
  };
  const reader: IndexReader = {
    get: ((table: TableName, key: Key) => (storable(key) ? getRow(table, key) : undefined)) as IndexReader['get'],
    keys: keysOf,
    // LMDB's count of the table's entries, less the one its record structures take (a key no read yields).
    count: (table) => {
      const db = h.dbs[table];
      // lmdb-js types its stats `{}`; `entryCount` is LMDB's `ms_entries` (mdb_stat).
      const { entryCount } = db.getStats() as { readonly entryCount: number };
      return entryCount - (db.get(STRUCTURES_KEY as never) === undefined ? 0 : 1);
    },
  };
  /** Whether the transaction under way dropped what unmoved checkpoints vouch for already (a checkpoint write drops it: domain/index/homeStats.ts). */
  let checkpointVouchedDropped = false;
  const put = (w: IndexWrite): void => {
    const key = w.key.length === 1 ? w.key[0] : [...w.key];
    if (w.op === 'put') h.dbs[w.table].putSync(key as never, w.value);
    else h.dbs[w.table].removeSync(key as never);
  };
  const write = (w: IndexWrite): void => {
    put(w);
    if (checkpointVouchedDropped || !movesCheckpoints(w.table)) return;
    checkpointVouchedDropped = true;
    for (const drop of DROP_CHECKPOINT_VOUCHED) put(drop);
  };
  const sync = <A>(op: string, f: () => A): TE.TaskEither<EngineError, A> =>
    TE.fromEither(E.tryCatch(f, lmdbError(path, op)));
  /** Write transactions under way (a scan inside one must not remap the environment it runs in). */
  let writing = 0;
  /** Each write transaction holds the environment's lock shared: no process opens or closes it meanwhile. */
  const shared = sharedEnvironmentLock(path, lockWaitMs);
  /** One write transaction; one that does not commit takes with it the structures it minted (forgetStructures). */
  const writeTxn = <A>(fn: () => A, flags?: number): A => {
    writing += 1;
    try {
      return shared.during(() =>
        h.root.transactionSync(() => {
          checkpointVouchedDropped = false;
          return fn();
        }, flags),
      );
    } catch (err) {
      forgetStructures(h.dbs);
      throw err;
    } finally {
      writing -= 1;
    }
  };
  /** `remap`'s work (see IndexStore): an environment below REMAP_FROM_BYTES stays mapped. */
  const remapNow = (): void => {
    if (fs.statSync(`${path}/data.mdb`).size < REMAP_FROM_BYTES) return;
    whileExclusiveSync(
      path,
      () => {
        void h.root.close();
        h = openHandles(path);
      },
      lockWaitMs,
    );
  };

  return {
    path,
    reader,
    get: (table, key) => sync('get', () => reader.get(table, key)),
    range: (table, prefix, opts = {}) =>
      sync('range', () => {
        if (!storable(prefix)) return [];
        const lo: Key = [...prefix];
        const hi: Key = [...prefix, KEY_MAX];
        const after = opts.after;
        const reverse = opts.reverse === true;
        const start = after ?? opts.from ?? (reverse ? hi : lo);
        const end = reverse ? lo : hi;
        const out: Array<{ key: never; value: never }> = [];
        const limit = opts.limit ?? Number.POSITIVE_INFINITY;
        // Only the first row can be `after` itself (the range starts there).
        let skipAfter = after === undefined ? undefined : JSON.stringify(after);
        for (const { key: k, value } of rowsIn(table, prefix, start, end, reverse)) {
          if (skipAfter !== undefined) {
            const isAfter = JSON.stringify(k) === skipAfter;
            skipAfter = undefined;
            if (isAfter) continue;
          }
          if (out.length >= limit) break;
          out.push({ key: k as never, value: value as never });
        }
        return out;
      }),
    scan: (table, prefix, each) => async () => {
      // What `each` throws is the caller's (a bug), not an LMDB failure: it leaves as thrown.
      let thrown: { readonly error: unknown } | undefined;
      const scanned = E.tryCatch(
        () => {
          if (!storable(prefix)) return 0;
          let n = 0;
          // Read ROWS_BETWEEN_UNMAPS rows at a time, the environment remapped between two pieces (each
          // its own read), so a scan of a whole large table does not leave every page of it mapped.
          let from: Key = prefix;
          let resumedAt: string | undefined;
          for (;;) {
            let piece = 0;
            let last: Key | undefined;
            for (const { key, value } of rowsIn(table, prefix, from, [...prefix, KEY_MAX], false)) {
              // A piece starts at the last row of the one before (inclusive): that row is passed over.
              if (piece === 0 && resumedAt !== undefined && JSON.stringify(key) === resumedAt) continue;
              try {
                each({ key: key as never, value: value as never });
              } catch (error) {
                thrown = { error };
                throw error;
              }
              n += 1;
              last = key;
              if (++piece === ROWS_BETWEEN_UNMAPS) break;
            }
            if (piece < ROWS_BETWEEN_UNMAPS || last === undefined) return n;
            if (writing === 0) remapNow();
            from = last;
            resumedAt = JSON.stringify(last);
          }
        },
        lmdbError(path, 'scan'),
      );
      if (thrown !== undefined) throw thrown.error;
      return scanned;
    },
    // Index batches are derived from the rollouts, which are the durable log: a commit returns once
    // it is committed and visible, and LMDB flushes it in order behind (integrity kept; after a
    // crash a lost tail of commits is caught up again from the checkpoints).
    commit: (build) =>
      sync('commit', () =>
        writeTxn(() => {
          const writes = build(reader);
          for (const w of writes) write(w);
          return writes.length;
        }, TransactionFlags.NO_SYNC_FLUSH),
      ),
    commitAsBuilt: (build) =>
      E.tryCatch(() => writeTxn(() => build(reader, write), TransactionFlags.NO_SYNC_FLUSH), lmdbError(path, 'commit')),
    transact: (op, fn) => E.tryCatch(() => writeTxn(() => fn(reader, write)), lmdbError(path, op)),
    dump: () =>
      sync('dump', () => {
        const out: Array<{ table: string; key: unknown; value: unknown }> = [];
        for (const t of TABLES) {
          if (t === 'meta') continue; // schema version and lease: not index contents
          for (const { key, value } of rowsIn(t, [], undefined, undefined, false)) out.push({ table: t, key, value });
        }
        return out;
      }),
    writeMark: () => E.tryCatch(() => writeMarkOf(h.fileIno, h.root), lmdbError(path, 'info')),
    remap: () => E.tryCatch(remapNow, lmdbError(path, 'remap')),
    close: () =>
      TE.tryCatch(
        () =>
          whileExclusive(
            path,
            async () => {
              await h.root.close();
              shared.close();
            },
            lockWaitMs,
          ),
        lmdbError(path, 'close'),
      ),
  };
};
