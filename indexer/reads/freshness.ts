import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';
import { hopOfRow } from '../../domain/history/historyBase.js';
import { lineageOf } from '../../domain/history/lineage.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { discoverRevisionFiles } from '../../adapters/driven/jsonl/home/revisionFiles.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { isInsideHome, outsideHome } from '../../adapters/driven/fs/insideHome.js';
import { probeFile, unchangedSince } from '../../adapters/driven/jsonl/readers/probe.js';
import { behindIn, filesCatchUpsOf, lazyCatchUpHome } from '../catchUp/lazyCatchUp.js';
import { threadRowsInterrupted } from '../catchUp/interruptedCatchUp.js';
import type { CatchUpOptions, CatchUpSummary } from '../catchUp/catchUp.js';
import { isOwnWrite } from './ownWrites.js';

/**
 * What a read-repair did: nothing (`fresh`), tailed files (`caughtUp`), waited for a catch-up of its
 * files running in this process to write its thread rows (`joinedCatchUp`), derived its thread's
 * row again from the rows of its files a whole-home catch-up running in this process has committed
 * ahead of its thread rows (`rederived`), scanned the home (`rescanned`); for a thread the index
 * does not know, shared another request's scan (`rescanShared`: one running, or one just ended), or
 * found the home's scans spent (`overRescanBudget`: answered from the index as it is); or, before
 * any of it, found absent once what serve's home watch saw change was caught up (`watchVouched`:
 * no listing, no scan; `historyIndexer.ts`).
 */
export type Freshness =
  | 'fresh'
  | 'caughtUp'
  | 'joinedCatchUp'
  | 'rederived'
  | 'rescanned'
  | 'rescanShared'
  | 'overRescanBudget'
  | 'watchVouched';

/**
 * How a home's rescans are bounded. Every request naming a thread the index lacks rescanned the
 * whole home on its own: 40 at once took `serve` to 4.4 GB and stalled its clients 75 s, 100 thread
 * subscribes ran it out of heap. So one home's scans run one at a time; a lookup of an unknown
 * thread that meets one running waits for it and takes its result, one within `reuseMs` after a
 * scan ended takes that scan's result, and beyond a token bucket (`burst` scans, one more every
 * `refillMs`) an unknown thread is answered from the index as it is (not found) without a scan.
 * (A thread whose files are named for it never gets here: it is indexed from its files first,
 * `threadFiles.ts`; the scan is for a thread no file is named for.)
 */
export interface RescanPolicy {
  readonly burst: number;
  readonly refillMs: number;
  readonly reuseMs: number;
  /** The monotonic clock, in ms. */
  readonly now: () => number;
}

export const DEFAULT_RESCAN_POLICY: RescanPolicy = {
  burst: 4,
  refillMs: 10_000,
  reuseMs: 2_000,
  now: () => performance.now(),
};

/** One home's scans: the one running, when the last ended, the bucket's tokens. */
interface RescanSlot {
  running: Promise<E.Either<EngineError, CatchUpSummary>> | null;
  endedAt: number;
  tokens: number;
  refilledAt: number;
}

/** Per index store: one store is one home's index in this process. */
const slots = new WeakMap<IndexStore, RescanSlot>();

const slotOf = (store: IndexStore, policy: RescanPolicy): RescanSlot => {
  let slot = slots.get(store);
  if (slot === undefined) {
    slot = { running: null, endedAt: -Infinity, tokens: policy.burst, refilledAt: policy.now() };
    slots.set(store, slot);
  }
  return slot;
};

/** Start a scan of the home as the slot's running one (the caller saw none running). */
const startScan = (
  slot: RescanSlot,
  store: IndexStore,
  home: string,
  options: CatchUpOptions,
  policy: RescanPolicy,
) => {
  const scan = lazyCatchUpHome(store, home, options)().finally(() => {
    slot.running = null;
    slot.endedAt = policy.now();
  });
  slot.running = scan;
  return scan;
};

/** A scan for a thread whose files changed under the index: its own, after the one running (scans of one home never overlap). */
const exclusiveScan = async (
  slot: RescanSlot,
  store: IndexStore,
  home: string,
  options: CatchUpOptions,
  policy: RescanPolicy,
) => {
  while (slot.running !== null) await slot.running;
  return startScan(slot, store, home, options, policy);
};

/** What a read-repair did, and the summary of the catch-up it ran, if any. */
interface Refreshed {
  readonly freshness: Freshness;
  readonly summary: CatchUpSummary | null;
  /** `fresh`: the thread's lineage as the check read it; the indexer hands it on while the index's write mark stands. */
  readonly lineage?: ThreadLineage;
}

/** A scan for a thread the index does not know: shared with the one running or just ended, else one of the bucket's. */
const unknownThreadScan = async (
  slot: RescanSlot,
  store: IndexStore,
  home: string,
  options: CatchUpOptions,
  policy: RescanPolicy,
): Promise<Refreshed> => {
  if (slot.running !== null) {
    await take(slot.running);
    return { freshness: 'rescanShared', summary: null };
  }
  const now = policy.now();
  if (now - slot.endedAt < policy.reuseMs) return { freshness: 'rescanShared', summary: null };
  const refills = Math.floor((now - slot.refilledAt) / policy.refillMs);
  if (refills > 0) {
    slot.tokens = Math.min(policy.burst, slot.tokens + refills);
    slot.refilledAt += refills * policy.refillMs;
  }
  if (slot.tokens < 1) return { freshness: 'overRescanBudget', summary: null };
  slot.tokens--;
  return { freshness: 'rescanned', summary: await take(startScan(slot, store, home, options, policy)) };
};

const fileOf = (cp: FileCheckpoint): RolloutFile => ({
  path: cp.path,
  archived: cp.archived,
  fileTimestamp: cp.fileTimestamp,
  threadId: cp.threadId ?? '',
  ...(cp.revisionId === null ? {} : { revisionId: cp.revisionId }),
});

/**
 * Read-repair before answering from the index for one thread: every file of its logical history
 * is compared with its checkpoint (one stat; probed when size or times differ), and the day folders since its current file are listed for
 * revision files the index has not seen (a revert writes a new file). Longer files and new
 * revisions → catch-up of those files only; gone, shorter, replaced or rewritten files (head,
 * tail, or mtime/ctime at the same size), or a path now holding another thread → a full scan
 * repairs the rows (the thread is then found wherever it lives now). An unknown thread also
 * triggers a scan, within the home's bounds (`RescanPolicy`).
 */
export const ensureThreadFresh = (
  store: IndexStore,
  home: string,
  threadId: string,
  options: CatchUpOptions = {},
  policy: RescanPolicy = DEFAULT_RESCAN_POLICY,
): TE.TaskEither<EngineError, Refreshed> =>
  useCase(async (): Promise<Refreshed> => {
    const slot = slotOf(store, policy);
    const rescan = async (): Promise<Refreshed> => ({
      freshness: 'rescanned',
      summary: await take(exclusiveScan(slot, store, home, options, policy)),
    });
    const thread = await take(store.get('threads', [threadId]));
    if (thread === undefined) return unknownThreadScan(slot, store, home, options, policy);
    const current = await take(store.get('rollouts', [thread.rolloutId]));
    if (current === undefined) return rescan();

    const walked = await take(
      walkHistoryAsync(current, current.rolloutId, hopOfRow, (id) => store.get('rollouts', [id])()),
    );
    if (walked.end.kind === 'missing') return rescan();

    const toCatchUp: RolloutFile[] = [];
    /** The checkpoints read for the chain's files (the thread's own file is among them). */
    const cps = new Map<string, FileCheckpoint>();
    for (const { node, rolloutId } of walked.chain) {
      // Never probed outside the home: the index is re-rooted when opened, this is the second line.
      if (!isInsideHome(home, node.path)) return stop(outsideHome(home, node.path));
      const cp = await take(store.get('files', [node.path]));
      if (cp === undefined || cp.rolloutId !== rolloutId) return rescan();
      cps.set(node.path, cp);
      let probe;
      try {
        // A file this process is writing is caught up by its writer before it answers: read as indexed.
        if (isOwnWrite(store, node.path) || unchangedSince(node.path, cp)) continue;
        probe = await probeFile(fileOf(cp), cp);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') return stop(toEngineError(cp.path, 'probe')(err));
        probe = 'gone' as const;
      }
      if (probe === 'gone' || probe === 'incomplete' || probe.changed) return rescan();
      if (probe.size > cp.size) toCatchUp.push(fileOf(cp));
    }

    const cp = cps.get(thread.path) ?? (await take(store.get('files', [thread.path])));
    const since = (cp?.fileTimestamp ?? '').slice(0, 10);
    if (since !== '') {
      for (const f of await take(discoverRevisionFiles(home, threadId, since, cp?.archived === true))) {
        if (!isOwnWrite(store, f.path) && (await take(store.get('files', [f.path]))) === undefined) toCatchUp.push(f);
      }
    }
    if (toCatchUp.length === 0) {
      // Files as indexed, but a catch-up of them in this process may not have written their thread
      // rows yet (lazyCatchUp.ts `filesCatchUpsOf`): the read waits for them.
      const paths = walked.chain.map(({ node }) => node.path);
      const joined = filesCatchUpsOf(store, paths);
      if (joined !== null) {
        await joined;
        return { freshness: 'joinedCatchUp', summary: null };
      }
      // Files as indexed, but a whole-home catch-up (serve's at start, a backfill) planned to change
      // one of them and may not have written their thread rows yet (lazyCatchUp.ts `behindIn`): the
      // read re-derives its thread's row from the committed rows, not waiting for the catch-up.
      if (behindIn(store, paths)) {
        await take((await import('../catchUp/threadRowRefresh.js')).rederiveThreadRow(store, home, threadId, paths));
        return { freshness: 'rederived', summary: null };
      }
      // Files as indexed, but thread rows a killed catch-up left behind them are redone first.
      if (!(await take(threadRowsInterrupted(store)))) {
        const lineage = lineageOf(thread, current, walked);
        return { freshness: 'fresh', summary: null, ...(E.isRight(lineage) ? { lineage: lineage.right } : {}) };
      }
    }
    return {
      freshness: 'caughtUp',
      summary: await take(lazyCatchUpHome(store, home, { ...options, files: toCatchUp })),
    };
  });
