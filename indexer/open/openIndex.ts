import * as fs from 'node:fs/promises';
import { removeDeadRebuilds } from './rebuildLeftovers.js';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, takeNow, useCase } from '../../domain/effect.js';
import { invalidArgument, isEngineError, unsupported } from '../../domain/errors.js';
import type { IndexWrite } from '../../domain/index/rows.js';
import { planMigration, MIGRATIONS } from '../../migrations/index/steps.js';
import type { IndexMigration } from '../../migrations/index/steps.js';
import { canTakeLease, leaseHolder, passBackfillGate } from './backfillGate.js';
import type { GateOptions, GatePorts, GateVerdict, Lease } from './backfillGate.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { checkFoldersBelow, confinementRoot, mkdirNoFollow } from '../../adapters/driven/fs/noFollow.js';
import { stateDbCopiesIn } from '../../adapters/driven/fs/codexStateDb.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { HOME_KEY, LEASE_KEY, SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../adapters/driven/lmdb/schema.js';
import { homeIdentityOf, sameHome } from './homeIdentity.js';
import { refusedIndexDir } from './indexDirCheck.js';
import type { HomeIdentity } from './homeIdentity.js';
import { isInsideHome } from '../../adapters/driven/fs/insideHome.js';
import { errnoCode, isPermissionDenied, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { acquireLock, releaseLock } from '../../adapters/driven/fs/lockFile.js';
import type { HeldLock } from '../../adapters/driven/fs/lockFile.js';
import { refusedIndexFolder, removeIndexFolder } from '../../adapters/driven/lmdb/indexFolder.js';
import { lazyCatchUpHome } from '../catchUp/lazyCatchUp.js';
import type { CatchUpOptions, CatchUpSummary } from '../catchUp/catchUp.js';
import { lmdbError } from '../../adapters/driven/lmdb/errors.js';
import { crashPoint } from '../../adapters/driven/system/crashPoint.js';
import { holdPoint } from '../../adapters/driven/system/holdPoint.js';

export const BACKFILLED_KEY = ['backfilled'] as const;

export interface OpenIndexResult {
  readonly store: LmdbIndexStore;
  /** `rerooted`: the index was of another home (a copied or moved one) and was rebuilt for this one. */
  readonly migrated: 'init' | 'current' | 'steps' | 'rebuilt' | 'rerooted';
}

const versionOf = (s: LmdbIndexStore): number | undefined => {
  const v = s.reader.get('meta', SCHEMA_VERSION_KEY);
  return typeof v === 'number' ? v : undefined;
};

const RecordedHome = t.type({ root: t.string, realPath: t.string });

/**
 * Whether the index at hand describes `home`: the identity it recorded is this home's; an index
 * written before homes were recorded is this home's when every path it holds lies inside it.
 */
const isIndexOf = (store: LmdbIndexStore, home: HomeIdentity): boolean => {
  const recorded = RecordedHome.decode(store.reader.get('meta', HOME_KEY));
  if (E.isRight(recorded)) return sameHome(recorded.right, home);
  return store.reader.keys('files', []).every((k) => isInsideHome(home.root, String(k[0])));
};

const recordHome = (home: HomeIdentity): IndexWrite => ({
  op: 'put',
  table: 'meta',
  key: [...HOME_KEY],
  value: { root: home.root, realPath: home.realPath },
});

/** A permission failure opening the index is the user's to fix (another folder), not an LMDB riddle. */
const openErrorIn =
  (dir: string) =>
  (e: EngineError): EngineError =>
    isPermissionDenied(e)
      ? invalidArgument(
          'index dir',
          `the index at ${dir} is not writable by this user (${e.code}): give --index-dir a folder you can write`,
        )
      : e;

/**
 * Open the index of `home` at `dir`, bringing its schema to SCHEMA_VERSION: a new environment gets
 * the version; an older one runs its in-place steps (each one transaction with its version bump) or
 * is rebuilt into a fresh environment beside it that is swapped in when complete (processes that
 * have the old one open keep reading it); a newer one is Unsupported.
 *
 * The index stores absolute paths, so it records the home it describes (`HOME_KEY`). An index of
 * another home — a copied or moved home brought its `.rollout-engine/` along, or `--index-dir`
 * names another home's — is rebuilt for this one the same way before anything reads it: from this
 * home's files only, never through the old paths (a rebuild costs what `index --rebuild` does, and
 * a patch of every stored path would be a second, rarely run, way to build rows). A home that is
 * not there is NotFound, and nothing is created for it.
 */
export const openIndex = (
  dir: string,
  home: string,
  options: CatchUpOptions & {
    readonly migrations?: ReadonlyArray<IndexMigration>;
    readonly target?: number;
    /** Told when another process holds the index lock past a moment (it is rebuilding or swapping the index): this open waits for it. */
    readonly onIndexLockWait?: IndexLockWait;
  } = {},
): TE.TaskEither<EngineError, OpenIndexResult> =>
  useCase(async () => {
    const target = options.target ?? SCHEMA_VERSION;
    const identity = await take(homeIdentityOf(home));
    const refused = refusedIndexDir(identity, dir);
    if (refused !== undefined) return stop(refused);
    // No link on the way to it below the home: its `.rollout-engine/` or `index` may be one the home's owner planted.
    const linked = await checkFoldersBelow(confinementRoot(home, dir), dir).then(
      () => undefined,
      lmdbError(dir, 'open'),
    );
    if (linked !== undefined) return stop(linked);
    const locked = takeNow(E.mapLeft(openErrorIn(dir))(await takeIndexLock(dir, options.onIndexLockWait)));
    try {
      const opened = await take(openLocked(dir, identity, target, options));
      const indexDir = nodePath.dirname(dir);
      stateDbCopiesIn(home, indexDir, confinementRoot(home, indexDir));
      return opened;
    } finally {
      await releaseLock(locked).catch(() => false);
    }
  });

/**
 * The index dir's lock (`<index dir>/index.lock`, adapters/driven/fs/lockFile.ts: holder marks, a dead
 * holder's lock broken at once), held while an environment is opened or created and, when it must
 * be, rebuilt and swapped in. Without it two first opens of a copied home both rebuilt and swapped,
 * one renaming the other's fresh index away (ENOENT, ENOTEMPTY, committed rows lost), and an open
 * between the swap's two renames created an empty index in the gap.
 */
export const indexLockOf = (lmdbDir: string): string => nodePath.join(nodePath.dirname(lmdbDir), 'index.lock');

/**
 * How long an open waits for the lock: its holder may be rebuilding the whole index (a re-root or a
 * migration, minutes for the largest homes); a holder that died is broken at once, not waited for.
 */
export const INDEX_LOCK_WAIT_MS = 15 * 60_000;

/** Told that an open waits for the index lock (`lockPath`), `waitMs` at most. */
export type IndexLockWait = (lockPath: string, waitMs: number) => void;

/** An open or swap takes the lock in milliseconds: one not free after this is being held for a rebuild, which is worth saying. */
const SAY_LOCK_WAIT_AFTER_MS = 1_000;

const takeIndexLock = async (lmdbDir: string, onWait?: IndexLockWait): Promise<E.Either<EngineError, HeldLock>> => {
  const lockPath = indexLockOf(lmdbDir);
  const lock = { waitMs: INDEX_LOCK_WAIT_MS, maxBackoffMs: 200 };
  try {
    // The index dir itself may be a link its folder's owner planted: refused, never followed.
    await mkdirNoFollow(nodePath.dirname(nodePath.dirname(lockPath)), nodePath.dirname(lockPath), 0o700);
    if (onWait === undefined) return E.right(await acquireLock(lockPath, lock));
    try {
      return E.right(await acquireLock(lockPath, { ...lock, waitMs: SAY_LOCK_WAIT_AFTER_MS }));
    } catch (err) {
      if (!isEngineError(err) || err._tag !== 'Timeout') throw err;
    }
    onWait(lockPath, INDEX_LOCK_WAIT_MS);
    return E.right(await acquireLock(lockPath, { ...lock, waitMs: INDEX_LOCK_WAIT_MS - SAY_LOCK_WAIT_AFTER_MS }));
  } catch (err) {
    return E.left(toEngineError(lockPath, 'lock')(err));
  }
};

/** Run `work` under the index lock of `lmdbDir` (`index --rebuild`'s swap). */
export const withIndexLock = <A>(
  lmdbDir: string,
  work: () => Promise<E.Either<EngineError, A>>,
  onWait?: IndexLockWait,
): Promise<E.Either<EngineError, A>> =>
  useCase(async () => {
    const locked = await take(takeIndexLock(lmdbDir, onWait));
    try {
      return await take(work());
    } finally {
      await releaseLock(locked).catch(() => false);
    }
  })();

/**
 * Put the complete environment `fresh` in place of `dir` (under the index lock): the old one is
 * moved aside to `old` and removed. `dir` must be the engine's (or absent): a user's folder there is
 * refused and nothing moves.
 */
export const swapIndex = async (fresh: string, dir: string, old: string): Promise<E.Either<EngineError, void>> => {
  const refused = refusedIndexFolder(dir);
  if (refused !== undefined) return E.left(refused);
  crashPoint('rebuild.built');
  await holdPoint('rebuild.built');
  try {
    await fs.rename(dir, old).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
    crashPoint('rebuild.swap.asideMoved');
    await holdPoint('rebuild.swap.asideMoved');
    await fs.rename(fresh, dir);
    crashPoint('rebuild.swap.freshMoved');
    await holdPoint('rebuild.swap.freshMoved');
    await removeIndexFolder(old);
    return E.right(undefined);
  } catch (err) {
    return E.left(lmdbError(dir, 'rebuild swap')(err));
  }
};

/** `openIndex` under the index lock: a second first open finds the index the first one rebuilt for this home, and uses it. */
const openLocked = async (
  dir: string,
  identity: HomeIdentity,
  target: number,
  options: CatchUpOptions & { readonly migrations?: ReadonlyArray<IndexMigration> },
): Promise<E.Either<EngineError, OpenIndexResult>> =>
  useCase(async (): Promise<OpenIndexResult> => {
    const store = takeNow(E.mapLeft(openErrorIn(dir))(await openLmdbIndex(dir)()));
    // One row of each is enough to know (listing every key of a large index slowed a serve's start).
    const hasRows = async (table: 'files' | 'threads'): Promise<boolean> => {
      const first = await store.range(table, [], { limit: 1 })();
      return E.isLeft(first) || first.right.length > 0;
    };
    const empty = !(await hasRows('files')) && !(await hasRows('threads'));
    const plan = planMigration(versionOf(store), empty, target, options.migrations ?? MIGRATIONS);
    if ((plan.kind === 'current' || plan.kind === 'steps') && !isIndexOf(store, identity)) {
      return take(rebuildInPlace(store, dir, identity, target, options, 'rerooted'));
    }
    switch (plan.kind) {
      case 'current':
      case 'steps': {
        for (const step of plan.kind === 'steps' ? plan.steps : []) {
          await take(
            store.transact(`migrate ${step.name}`, (reader, write) => {
              for (const w of step.run(reader)) write(w);
              write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: step.to });
            }),
          );
        }
        // An index from before homes were recorded, found to be this home's: record it.
        if (store.reader.get('meta', HOME_KEY) === undefined)
          await take(store.transact('record home', (_r, write) => write(recordHome(identity))));
        return { store, migrated: plan.kind };
      }
      case 'init': {
        await take(
          store.transact('init schema', (_r, write) => {
            write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: target });
            write(recordHome(identity));
          }),
        );
        return { store, migrated: 'init' };
      }
      case 'unsupported':
        await store.close()();
        return stop(unsupported(`index at ${dir} was written by a newer rollout-engine`, plan.version));
      case 'rebuild':
        return take(rebuildInPlace(store, dir, identity, target, options, 'rebuilt'));
    }
  })();

/**
 * Build the index of `home` afresh in an environment beside `dir` and swap it in when complete
 * (processes that have the old one open keep reading it until they reopen).
 */
const rebuildInPlace = async (
  store: LmdbIndexStore,
  dir: string,
  home: HomeIdentity,
  target: number,
  options: CatchUpOptions,
  migrated: 'rebuilt' | 'rerooted',
): Promise<E.Either<EngineError, OpenIndexResult>> =>
  useCase(async () => {
    const fresh = `${dir}-rebuild-${process.pid}`;
    const old = `${dir}-old-${process.pid}`;
    // Its own use case: what it throws (not a stop) is the swap's failure.
    const rebuilt = useCase(async () => {
      await removeDeadRebuilds(dir);
      await removeIndexFolder(fresh);
      const next = await take(openLmdbIndex(fresh));
      const built = await lazyCatchUpHome(next, home.root, {
        ...options,
        workers: options.workers && { ...options.workers, indexPath: fresh },
      })();
      const marked = next.transact('mark rebuilt', (_r, write) => {
        write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: target });
        // A rebuild of the token projection alone (a `tokens` run) is no backfill: the next gate runs one.
        if (options.subset !== 'tokens') write({ op: 'put', table: 'meta', key: [...BACKFILLED_KEY], value: true });
        write(recordHome(home));
      });
      await next.close()();
      takeNow(built);
      takeNow(marked);
      await store.close()();
      await take(swapIndex(fresh, dir, old));
    })().catch((err: unknown) => E.left(lmdbError(dir, 'rebuild swap')(err)));
    await take(rebuilt);
    return { store: await take(openLmdbIndex(dir)), migrated };
  })();

/**
 * Whether the process a lease names is gone: it ran on this host and its pid no longer exists
 * (interrupted, killed, crashed). Its lease is then taken at once instead of after its TTL, so
 * the next run continues an interrupted build without waiting. Other hosts' holders, and owners
 * that name no process, are left to the TTL.
 */
export const holderIsGone = (lease: Lease): boolean => {
  const holder = leaseHolder(lease.owner);
  if (holder === null || holder.host !== os.hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

/** Gate ports over an LMDB index: the lease and the backfilled flag live in its `meta` table. */
export const lmdbGatePorts = (
  store: LmdbIndexStore,
  home: string,
  options: CatchUpOptions = {},
  now: () => number = Date.now,
  onBackfilled: (summary: CatchUpSummary) => void = () => undefined,
): GatePorts => ({
  isBackfilled: () =>
    TE.fromEither(E.tryCatch(() => store.reader.get('meta', BACKFILLED_KEY) === true, lmdbError(store.path, 'get'))),
  tryAcquire: (owner, ttlMs) =>
    TE.fromEither(
      store.transact('lease', (reader, write) => {
        const cur = reader.get('meta', LEASE_KEY) as Lease | undefined;
        const t = now();
        if (!canTakeLease(cur, owner, t) && !holderIsGone(cur!)) return false;
        write({ op: 'put', table: 'meta', key: [...LEASE_KEY], value: { owner, expiresAt: t + ttlMs } });
        return true;
      }),
    ),
  holder: () =>
    TE.fromEither(
      E.tryCatch(() => store.reader.get('meta', LEASE_KEY) as Lease | undefined, lmdbError(store.path, 'get')),
    ),
  release: (owner) =>
    TE.fromEither(
      store.transact('lease release', (reader, write) => {
        const cur = reader.get('meta', LEASE_KEY) as Lease | undefined;
        if (cur?.owner === owner) write({ op: 'del', table: 'meta', key: [...LEASE_KEY] });
      }),
    ),
  backfill: () =>
    useCase(async () => {
      onBackfilled(await take(lazyCatchUpHome(store, home, options)));
      return take(
        store.transact('mark backfilled', (_r, write) =>
          write({ op: 'put', table: 'meta', key: [...BACKFILLED_KEY], value: true }),
        ),
      );
    }),
  now,
  sleep: (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
      options.signal?.addEventListener('abort', done);
    }),
  stopped: () => options.signal?.aborted === true,
});

/** A lease owner id unique to this process. */
export const processOwner = (): string => `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;

/** How a process passed the gate, and the catch-up it ran as the backfill if it was the one to backfill. */
export interface GatePassage {
  readonly verdict: GateVerdict;
  readonly backfill: CatchUpSummary | null;
}

export const passLmdbBackfillGate = (
  store: LmdbIndexStore,
  home: string,
  gate: Partial<GateOptions> = {},
  options: CatchUpOptions = {},
): TE.TaskEither<EngineError, GatePassage> => {
  let backfill: CatchUpSummary | null = null;
  const ports = lmdbGatePorts(store, home, options, Date.now, (s) => void (backfill = s));
  return TE.map((verdict: GateVerdict): GatePassage => ({ verdict, backfill }))(
    passBackfillGate(ports, { owner: gate.owner ?? processOwner(), ...gate }),
  );
};
