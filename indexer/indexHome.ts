import type { TailReaderSource } from '../adapters/driven/jsonl/readers/tailReader.js';
import { sweepHome } from '../adapters/driven/jsonl/home/leftovers.js';
import { checkFoldersBelow, confinementRoot } from '../adapters/driven/fs/noFollow.js';
import { toEngineError } from '../adapters/driven/fs/fsError.js';
import { removeDeadRebuilds } from './open/rebuildLeftovers.js';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import { stop, take, useCase } from '../domain/effect.js';
import { homeQuarantineSink } from '../adapters/driven/jsonl/writers/quarantine.js';
import { catchUpHome } from './catchUp/catchUp.js';
import type { CatchUpOptions, CatchUpSummary, Progress } from './catchUp/catchUp.js';
import { BACKFILLED_KEY, openIndex, passLmdbBackfillGate, swapIndex, withIndexLock } from './open/openIndex.js';
import { refusedIndexFolder, removeIndexFolder } from '../adapters/driven/lmdb/indexFolder.js';
import { lmdbDirOf } from '../adapters/driven/lmdb/environmentFolder.js';
import { lmdbError } from '../adapters/driven/lmdb/errors.js';
import type { GatePassage } from './open/openIndex.js';
import { gateStatus, indexLockWaitStatus, reportingTo } from './open/indexStatus.js';
import type { OnIndexStatus } from './open/indexStatus.js';
import { quarantinedInIndex } from './verify/quarantined.js';
import { dropVerifyFindings } from './verify/verifyFindings.js';
import type { QuarantinedCount } from './verify/quarantined.js';

export interface IndexHomeRun {
  readonly codexHome: string;
  readonly indexDir: string;
  readonly rebuild: boolean;
  readonly onProgress?: ((p: Progress) => void) | undefined;
  /** Told of the build or catch-up as it goes, and of a wait for another process's build. */
  readonly onStatus?: OnIndexStatus | undefined;
  /** Worker threads for a large catch-up (1: this thread). */
  readonly workers?: number | undefined;
  /** The reader thread to read on when there is much to read (absent: this thread). */
  readonly tailReader?: TailReaderSource | undefined;
}

/** What `index` reports: this run's catch-up, and the quarantined lines of the whole home (not only this run's). */
export type IndexHomeSummary = CatchUpSummary & { readonly quarantinedInHome: QuarantinedCount };

/**
 * `index`: catch the index up with every file of the home, through the backfill gate (a first
 * build runs as the gate's backfill, under its lease, so a second process waits for it instead
 * of building the same rows), or rebuild it into a fresh environment and swap it in under the index lock (readers that
 * have the old one open keep reading it until they reopen). The index's place must hold an index
 * of the engine's, or nothing: a folder of the user's there is refused before anything is built.
 */
export const indexHome = (run: IndexHomeRun): Promise<E.Either<EngineError, IndexHomeSummary>> =>
  useCase(async (): Promise<IndexHomeSummary> => {
    const target = lmdbDirOf(run.indexDir);
    const dir = run.rebuild ? `${target}.rebuild-${process.pid}` : target;
    // Nothing is swept, removed or built through a link the home's owner planted on the way (`.rollout-engine`, `index`).
    const linked = await checkFoldersBelow(confinementRoot(run.codexHome, run.indexDir), target).then(
      () => undefined,
      toEngineError(target, 'open'),
    );
    if (linked !== undefined) return stop(linked);
    // What killed rebuilds and killed writers left behind (rebuildLeftovers.ts, jsonl/leftovers.ts).
    await removeDeadRebuilds(target);
    await sweepHome(run.codexHome).catch(() => undefined);
    if (run.rebuild) {
      // Refused before the build, not after it: the swap will move what is at the index's place.
      const refused = refusedIndexFolder(target);
      if (refused !== undefined) return stop(refused);
      try {
        await removeIndexFolder(dir);
      } catch (err) {
        return stop(lmdbError(dir, 'remove')(err));
      }
    }
    const lockWait = indexLockWaitStatus(run.onStatus, run.codexHome);
    const { store } = await take(openIndex(dir, run.codexHome, lockWait));
    const options: CatchUpOptions = {
      quarantine: homeQuarantineSink(run.codexHome, run.indexDir),
      // `index` ends with its catch-up.
      oneShot: true,
      ...(run.onProgress === undefined ? {} : { onProgress: run.onProgress }),
      // Worker threads are opt-in: on a shared 2-core machine one thread measured faster (bench/index.ts).
      workers: { count: run.workers ?? 1, indexPath: dir },
      ...(run.tailReader === undefined ? {} : { tailReader: run.tailReader }),
    };
    // A rebuild's environment is this process's own until the swap: no one to share a backfill with.
    const waiting = gateStatus(run.onStatus, run.codexHome);
    const gate = run.rebuild
      ? E.right<EngineError, GatePassage>({ verdict: 'index', backfill: null })
      : await passLmdbBackfillGate(
          store,
          run.codexHome,
          waiting.gate,
          reportingTo(options, run.onStatus, 'build', run.codexHome),
        )();
    if (E.isRight(gate)) waiting.passed(gate.right.verdict);
    const result = E.isLeft(gate)
      ? gate
      : gate.right.backfill !== null
        ? E.right(gate.right.backfill)
        : await catchUpHome(
            store,
            run.codexHome,
            reportingTo(options, run.onStatus, run.rebuild ? 'rebuild' : 'catchUp', run.codexHome),
          )();
    const counted = E.isRight(result) ? await quarantinedInIndex(store)() : result;
    const marked = E.isRight(result)
      ? store.transact('mark backfilled', (_r, write) =>
          write({ op: 'put', table: 'meta', key: [...BACKFILLED_KEY], value: true }),
        )
      : E.right<EngineError, void>(undefined);
    // The store is closed whatever happened; the errors are told in this order.
    const closed = await store.close()();
    await take(marked);
    const summary = await take(result);
    const quarantinedInHome = await take(counted);
    await take(closed);
    if (run.rebuild) {
      // Under the index lock: no process opens the index between the swap's two renames.
      await take(
        withIndexLock(target, () => swapIndex(dir, target, `${target}.old-${process.pid}`), lockWait.onIndexLockWait),
      );
      // What the last verify found was in the index just replaced.
      await take(dropVerifyFindings(run.indexDir));
    }
    return { ...summary, quarantinedInHome };
  })();
