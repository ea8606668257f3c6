import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { HistoryIndexer, IndexStore } from '../../domain/ports.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { asCheckpointSays } from '../../adapters/driven/jsonl/home/fileTimes.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import { isFileThreadId } from '../../domain/thread/threadId.js';
import { catchUpPaths, lazyCatchUpHome } from '../catchUp/lazyCatchUp.js';
import { caughtUpAsRecorded } from '../catchUp/homeAsIndexed.js';
import { recordedHomeStats } from '../catchUp/homeStatsRecord.js';
import { followCodexRows, followThreadName, followThreadNames } from '../catchUp/catchUpThreadRows.js';
import { ensureThreadFresh } from './freshness.js';
import { beginOwnWrite, isOwnWrite, ownWritesRun } from './ownWrites.js';
import type { CatchUpOptions } from '../catchUp/catchUp.js';
import type { HomeWatch } from '../../adapters/driven/jsonl/home/homeWatch.js';
import { indexThreadFiles } from './threadFiles.js';
import { listAheadOver, namedThreadsOf } from './listAhead.js';
import type { NamedThreads } from './listAhead.js';
import type { ThreadFilesIndexed } from './threadFiles.js';
import type { IndexObserver } from './indexObserver.js';
import { indexWriteMark } from '../../domain/index/indexWriteMark.js';

/** What the indexer of a long-running process knows beyond the index (`serve`); the CLI's one-shot indexer has none of it. */
export interface IndexerContext {
  /** While this process's home-wide backfill runs: resolves when it is over (either way). */
  readonly backfilling?: () => Promise<void> | undefined;
  /** The rollout files that changed since the last home-wide refresh. */
  readonly watch?: HomeWatch;
  /** Told when a thread was indexed on its own before the home was (the CLI says so). */
  readonly onThreadIndexed?: (indexed: ThreadFilesIndexed) => void;
  /** Whether the whole home has been indexed once (the backfill gate's flag). */
  readonly isBackfilled?: () => boolean;
  /** Runs a request's own catch-up ahead of the backfill running behind (which waits between two files meanwhile). */
  readonly first?: <A>(work: () => Promise<A>) => Promise<A>;
  /** Told of each read-repair and home-wide catch-up, with its duration (`serve`'s metrics and log). */
  readonly observer?: IndexObserver;
}

const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/**
 * The index of one CODEX_HOME kept current with its files: read-repair before a read, catch-up after a write.
 *
 * A thread the index does not know is first looked for by name (its files only, `threadFiles.ts`):
 * on a home not yet indexed, or being indexed in the background, a thread is answered without
 * waiting for the whole home. Only when no file is named for it does the home-wide scan decide
 * (this process's running backfill, else `ensureThreadFresh`'s rescan). A home-wide refresh waits
 * for a running backfill (its answer is then the one a finished index gives) and, with a watch,
 * catches up only the files that changed.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const lmdbHistoryIndexer = (
  store: IndexStore,
  home: string,
  options: CatchUpOptions = {},
  context: IndexerContext = {},
): HistoryIndexer => {
  const catchUpFiles = (
    paths: ReadonlyArray<string>,
    scope?: { readonly everyFile: true },
  ): TE.TaskEither<EngineError, void> =>
    TE.map(() => undefined)(
      catchUpPaths(store, home, paths, scope === undefined ? options : { ...options, everyChange: true }),
    );
  /**
   * A whole-home catch-up. Without a watch (a CLI run), told from the home's stats the last one
   * recorded, as `serve` decides at its start: only the files one stat shows changed or new are
   * caught up, and the names followed (homeAsIndexed.ts `caughtUpAsRecorded`); on a home of
   * 100,000 rollouts, reading every checkpoint to settle the files that did not change was most of
   * a warm `threads` run's time and memory (measured in the commits that made it).
   */
  const catchUpWholeHome = async (): Promise<E.Either<EngineError, void>> => {
    const recorded = context.watch === undefined ? await recordedHomeStats(store) : undefined;
    if (recorded !== undefined) {
      const same = await caughtUpAsRecorded(store, home, recorded, options);
      if (E.isRight(same) && same.right) return E.right(undefined);
    }
    return E.map(() => undefined)(await lazyCatchUpHome(store, home, options)());
  };
  // A thread looked for on its own is said once (context.onThreadIndexed), not as the home's catch-up.
  const { onProgress: _homeProgress, ...byName } = options;
  // The home's threads by name while a build runs behind, shared by the lists asked meanwhile.
  let named: NamedThreads | undefined;
  let namedListing: Promise<E.Either<EngineError, NamedThreads>> | null = null;
  // The watch's changes caught up one take after the other (refreshAll's and an unknown id's): each
  // waits for the take running (what it catches up may be the file asked for) and takes what came since.
  let watchedTail: Promise<unknown> = Promise.resolve();
  /** `work` in the watch's line: after the one before, however it ended. */
  const inWatchedLine = <A>(work: () => Promise<A>): Promise<A> => {
    const run = watchedTail.then(work, work);
    watchedTail = run;
    return run;
  };
  // Files a mutation of this process writes, then catches up itself before it answers (`writing`).
  // A take sets them aside rather than catching up a write not yet answered: under load, a list's
  // catch-up of each `rollout/append` ran ahead of the append's own, and held every list behind it.
  // Once its writes end, a file set aside is looked at by the next take: caught up unless its
  // checkpoint still says what it is (the mutation's catch-up indexed it).
  const setAside = new Set<string>();
  const asIndexed = async (path: string): Promise<boolean> => {
    const cp = await store.get('files', [path])();
    return E.isRight(cp) && asCheckpointSays(path, cp.right);
  };
  const dueOf = async (taken: ReadonlyArray<string>): Promise<ReadonlyArray<string>> => {
    if (!ownWritesRun(store) && setAside.size === 0) return taken;
    const again = [...setAside];
    setAside.clear();
    const due = new Set<string>();
    for (const path of taken) (isOwnWrite(store, path) ? setAside : due).add(path);
    for (const path of again) {
      if (isOwnWrite(store, path)) setAside.add(path);
      else if (!due.has(path) && !(await asIndexed(path))) due.add(path);
    }
    return [...due];
  };
  /**
   * The files a take found changed, caught up, then the names when `session_index.jsonl` changed
   * (taken before they are read: a change meanwhile is the next take's). `notOnlyNames`: more than
   * names changed beside the files (catchUpThreadRows.ts `followThreadNames`), for a whole-home catch-up.
   */
  const catchUpTaken = async (
    changed: ReadonlyArray<string>,
    names: boolean,
  ): Promise<E.Either<EngineError, 'caughtUp' | 'notOnlyNames'>> => {
    if (changed.length > 0) {
      const r = await catchUpFiles(changed)();
      if (E.isLeft(r)) return r;
    }
    if (!names) return E.right('caughtUp');
    return E.map((n: 'followed' | 'notOnlyNames') => (n === 'followed' ? ('caughtUp' as const) : n))(
      await followThreadNames(store, home),
    );
  };
  /** The files the watch saw change, caught up; `unknown`: the watch cannot vouch for the home (given back to it). */
  const catchUpWatched = (watch: HomeWatch): Promise<E.Either<EngineError, 'caughtUp' | 'unknown'>> => {
    const takeChanged = async (): Promise<E.Either<EngineError, 'caughtUp' | 'unknown'>> => {
      const taken = watch.take();
      if (taken === 'unknown') {
        // Not ours to catch the whole home up: the next take (a thread/list's) is unknown again.
        watch.lost();
        return E.right('unknown');
      }
      const changed = await dueOf(taken);
      const r = await catchUpTaken(changed, watch.takeNames());
      if (E.isLeft(r)) watch.lost();
      if (E.isLeft(r)) return r;
      if (r.right === 'caughtUp') return E.right('caughtUp');
      watch.lost();
      return E.right('unknown');
    };
    return inWatchedLine(takeChanged);
  };
  /**
   * A read of one thread answers the name it has now. With the watch: when it saw
   * session_index.jsonl change, the names are followed for every thread, in the watch's line (as a
   * list does; a read waits for a take only then); more than names changed, the next list catches
   * the home up and this thread's row is followed alone. Without (the CLI): this thread's row alone.
   */
  const followNamesFor = async (threadId: string): Promise<E.Either<EngineError, void>> => {
    const watch = context.watch;
    if (watch === undefined) return followThreadName(store, home, threadId);
    if (!watch.takeNames()) return E.right(undefined);
    const follow = async (): Promise<E.Either<EngineError, 'followed' | 'notOnlyNames'>> => {
      const r = await followThreadNames(store, home);
      if (E.isLeft(r) || r.right === 'notOnlyNames') watch.lost();
      return r;
    };
    const followed = await inWatchedLine(follow);
    if (E.isRight(followed) && followed.right === 'followed') return E.right(undefined);
    return followThreadName(store, home, threadId);
  };
  // One listing of the home's files shared by the lookups of unknown ids that meet it running:
  // 40 at once each listed 20,000 files (issue 68, finding 12).
  let listing: Promise<E.Either<EngineError, ReadonlyArray<RolloutFile>>> | null = null;
  const sharedListing = (): Promise<E.Either<EngineError, ReadonlyArray<RolloutFile>>> =>
    (listing ??= discoverRolloutFiles(home)().finally(() => (listing = null)));
  return {
    listAhead: (order) =>
      useCase(async () => {
        // Ahead of a build only: once the home was indexed, what runs behind is a catch-up that
        // stats each file (no reads where nothing changed), sooner waited for than raced thread by thread.
        if (context.backfilling?.() === undefined || context.isBackfilled?.() === true) {
          named = undefined;
          return null;
        }
        // One listing for the lists that meet it running (each listed the home on its own).
        if (named === undefined)
          named = await take((namedListing ??= namedThreadsOf(home)().finally(() => (namedListing = null))));
        return listAheadOver(store, home, byName, named, order);
      }),
    refreshThread: (threadId) =>
      useCase(async () => {
        const first = context.first ?? ((work) => work());
        const watch = context.watch;
        const found = await take(
          first(
            useCase(async () => {
              if ((await take(store.get('threads', [threadId]))) !== undefined) return 'known' as const;
              // The watch vouches for the home: once what it saw change is caught up, the index holds
              // every file there is, and a thread it lacks has none (no listing, no scan).
              if (watch?.vouched() === true) {
                const t0 = process.hrtime.bigint();
                if ((await take(catchUpWatched(watch))) === 'caughtUp') {
                  if ((await take(store.get('threads', [threadId]))) !== undefined) return 'known' as const;
                  context.observer?.threadRefreshed(threadId, 'watchVouched', msSince(t0));
                  return 'absent' as const;
                }
              }
              const wasBackfilled = context.isBackfilled?.() ?? true;
              const listed = isFileThreadId(threadId) ? await take(sharedListing()) : [];
              const indexed = await take(indexThreadFiles(store, home, threadId, byName, listed));
              if (indexed !== null && !wasBackfilled) context.onThreadIndexed?.(indexed);
              return indexed;
            }),
          ),
        );
        if (found === 'absent') return;
        // No file is named for it: the running backfill is the scan that would find it (not awaited ahead of it).
        if (found === null) await context.backfilling?.();
        const t0 = process.hrtime.bigint();
        // The files, then the names: one turn ahead of the backfill for both.
        const fresh = await take(
          first(
            useCase(async () => {
              const mark = indexWriteMark(store);
              const refreshed = await take(ensureThreadFresh(store, home, threadId, options)());
              await take(followNamesFor(threadId));
              // The lineage the check read is handed on only if nothing was committed since it began
              // (this read's follow of a name, a list's, another request's catch-up): else the read loads it.
              return mark !== null && indexWriteMark(store) === mark ? refreshed : { ...refreshed, lineage: undefined };
            }),
          ),
        );
        context.observer?.threadRefreshed(threadId, fresh.freshness, msSince(t0));
        return fresh.lineage;
      }),
    refreshAll: () => async () => {
      await context.backfilling?.();
      const watch = context.watch;
      const refresh = async (): Promise<E.Either<EngineError, void>> => {
        const taken = watch === undefined ? 'unknown' : watch.take();
        // A whole-home catch-up reads the names too: taken either way, before they are read.
        const names = watch?.takeNames() ?? true;
        const changed = taken === 'unknown' ? taken : await dueOf(taken);
        if (changed !== 'unknown' && changed.length === 0 && !names) return E.right(undefined);
        const t0 = process.hrtime.bigint();
        const watched = changed === 'unknown' ? undefined : await catchUpTaken(changed, names);
        const whole = watched === undefined || (E.isRight(watched) && watched.right === 'notOnlyNames');
        const r = whole ? await catchUpWholeHome() : E.map(() => undefined)(watched);
        if (E.isLeft(r)) watch?.lost();
        else context.observer?.homeCaughtUp(whole ? 'all' : changed.length, msSince(t0));
        return r;
      };
      if (watch === undefined) return refresh();
      // In the watch's line: a list (or an unknown id's lookup) that comes while another's take is
      // caught up waits for it, rather than taking nothing and answering ahead of the files it names.
      return inWatchedLine(refresh);
    },
    // Behind a build, the build's own thread-row refresh takes the DB as it finds it.
    followCodexRows: () => () =>
      context.isBackfilled?.() === false
        ? Promise.resolve(E.right(undefined))
        : followCodexRows(store, home, context.watch === undefined),
    catchUp: (paths, scope) => catchUpFiles(paths, scope),
    writing: (paths) => beginOwnWrite(store, paths),
  };
};
