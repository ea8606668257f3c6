// The backfill modes that pass the gate once the index is open (openCodexHome.ts): behind the
// answers (`background`: serve), or before them (`await`: the default).
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import type { LmdbIndexStore } from '../../driven/lmdb/indexStore.js';
import { lazyCatchUpHome } from '../../../indexer/catchUp/lazyCatchUp.js';
import type { CatchUpOptions } from '../../../indexer/catchUp/catchUp.js';
import type { IndexerContext } from '../../../indexer/reads/historyIndexer.js';
import { watchHome } from '../../driven/jsonl/home/homeWatch.js';
import { caughtUpAsRecorded, knownFoldersOf } from '../../../indexer/catchUp/homeAsIndexed.js';
import { recordedHomeStats } from '../../../indexer/catchUp/homeStatsRecord.js';
import { passLmdbBackfillGate } from '../../../indexer/open/openIndex.js';
import type { GatePassage } from '../../../indexer/open/openIndex.js';
import { reportingTo } from '../../../indexer/open/indexStatus.js';
import type { gateStatus, OnIndexStatus } from '../../../indexer/open/indexStatus.js';
import { holdPoint } from '../../driven/system/holdPoint.js';
import { BACKGROUND_BATCH, requestsFirst } from './requestsFirst.js';

/**
 * What the backfill modes share: the opened index, the gate's options, and how to make the home
 * over it. Generic over the home (openCodexHome.ts makes an `OpenCodexHome`): this module then
 * needs nothing of the one that imports it.
 */
export interface Opening<Home> {
  readonly codexHome: string;
  /** What the modes read of the home's options (`OpenCodexHomeOptions`). */
  readonly opts: {
    readonly watch?: boolean | undefined;
    readonly onRolloutChanged?: ((path: string) => void) | undefined;
    readonly onStatus?: OnIndexStatus | undefined;
  };
  readonly store: LmdbIndexStore;
  readonly options: CatchUpOptions;
  readonly catchUpOptions: CatchUpOptions;
  readonly gateOptions: Parameters<typeof passLmdbBackfillGate>[2];
  readonly waiting: ReturnType<typeof gateStatus>;
  readonly context: IndexerContext;
  readonly isBackfilled: () => boolean;
  readonly home: (gate: GatePassage | null, ctx: IndexerContext, close: () => Promise<void>) => Home;
  readonly closeStore: () => Promise<void>;
}

/** `backfill: 'background'`: the home answers at once, requests first, while the backfill runs behind them in small steps. */
export const openBackfillingBehind = async <Home>(o: Opening<Home>): Promise<Home> => {
  const { codexHome, opts, store, catchUpOptions, isBackfilled } = o;
  // An index built before: the home's stats its last whole-home catch-up recorded (homeAsIndexed.ts).
  // The watch starts from them (a folder whose times are the same is not listed again), and
  // before the backfill looks at the files: what changes while it runs is seen.
  const recorded = opts.watch === true && isBackfilled() ? await recordedHomeStats(store) : undefined;
  const watch =
    opts.watch === true
      ? watchHome(codexHome, opts.onRolloutChanged, recorded === undefined ? {} : { listed: knownFoldersOf(recorded) })
      : undefined;
  const mark = watch?.mark();
  const stop = new AbortController();
  const requests = requestsFirst();
  // Smaller transactions than a build's own: a request waits for the one being committed.
  const between = async (): Promise<void> => {
    await requests.between();
    await holdPoint('backfill.between');
  };
  const building = reportingTo(
    { ...BACKGROUND_BATCH, ...o.options, signal: stop.signal, between },
    opts.onStatus,
    'build',
    codexHome,
  );
  const passing = async (): Promise<void> => {
    const gate = await passLmdbBackfillGate(store, codexHome, o.gateOptions, building)();
    if (E.isLeft(gate)) {
      if (!stop.signal.aborted) opts.onStatus?.({ kind: 'backfillFailed', home: codexHome, error: gate.left });
      return;
    }
    if (stop.signal.aborted) return;
    o.waiting.passed(gate.right.verdict);
    if (watch === undefined || mark === undefined) return;
    if (gate.right.backfill !== null) return watch.vouch(mark);
    // Built before this process (or by another while it waited): the files may have changed since.
    // Told from the stats the index last recorded (one stat a file and a folder, after the watch
    // started: a change since is the watch's), the files changed meanwhile are caught up and the
    // names that moved followed; then the watch is vouched for as the home is.
    if (recorded !== undefined) {
      const same = await caughtUpAsRecorded(store, codexHome, recorded, { ...catchUpOptions, signal: stop.signal });
      if (E.isRight(same) && same.right && !stop.signal.aborted) return watch.vouch(mark);
    }
    // Else one whole-home catch-up now, at start, vouches for the watch; left to the first
    // request, it would be paid for under traffic, by every request queued behind it.
    const caughtUp = await lazyCatchUpHome(store, codexHome, { ...catchUpOptions, signal: stop.signal })();
    if (E.isRight(caughtUp) && !stop.signal.aborted) watch.vouch(mark);
  };
  let running: Promise<void> | undefined = passing().finally(() => (running = undefined));
  const close = async () => {
    stop.abort();
    watch?.close();
    await running;
    // A session whose catch-ups moved a checkpoint (Codex wrote beside it) dropped the home's
    // stats, and the next start would wait for a whole-home catch-up before its first page. One
    // now, at close (the stats of every file and folder, little read: the watch kept the index
    // caught up), records them again, so the next start answers from the index as this one could.
    // Best effort: a failed catch-up leaves the next start to catch up, as before; a second
    // Ctrl-C ends the process meanwhile (serveTransports.ts).
    if (watch !== undefined && isBackfilled() && (await recordedHomeStats(store)) === undefined)
      await lazyCatchUpHome(store, codexHome, catchUpOptions)();
    await o.closeStore();
  };
  const backfilling = () => (running === undefined ? undefined : requests.stepAside(running));
  return o.home(null, { ...o.context, watch, backfilling, first: requests.first }, close);
};

/** The default mode: pass the backfill gate (backfill, or wait a bounded time for the process that does) before answering. */
export const openBehindTheGate = async <Home>(o: Opening<Home>): Promise<E.Either<EngineError, Home>> => {
  const { codexHome, opts, store } = o;
  const gate = await passLmdbBackfillGate(
    store,
    codexHome,
    o.gateOptions,
    reportingTo(o.options, opts.onStatus, 'build', codexHome),
  )();
  if (E.isLeft(gate)) {
    await store.close()();
    return gate;
  }
  o.waiting.passed(gate.right.verdict);
  const watch = opts.watch === true ? watchHome(codexHome, opts.onRolloutChanged) : undefined;
  return E.right(
    o.home(gate.right, { ...o.context, watch }, async () => {
      watch?.close();
      await o.closeStore();
    }),
  );
};
