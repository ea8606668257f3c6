import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rolloutFilesAt } from '../../adapters/driven/jsonl/home/discover.js';
import type { IndexStore } from '../../domain/ports.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import type { CatchUpSummary } from './catchUpSummary.js';

/** A catch-up of given files running in this process: its files, and its end (thread rows written). */
interface FilesCatchUp {
  readonly paths: ReadonlySet<string>;
  readonly done: Promise<unknown>;
}

/** Per store (one home's index in this process): the catch-ups of given files under way. */
const running = new WeakMap<IndexStore, Set<FilesCatchUp>>();

/**
 * `catchUpHome` (catchUp.ts), its code loaded by the first call: a warm read, whose files are all
 * unchanged, never loads the projections, the runner and the tail readers (a CLI run pays for
 * every module it loads: a file read and a compile each). What opens a home and keeps it fresh
 * catches up through this; what catches up every time (`index`, `repair`) imports `catchUpHome`.
 * A catch-up of given files (the home watch's, a read-repair's) is noted while it runs, for
 * `filesCatchUpsOf`; the files any catch-up changes are noted from its plan to its end, for `behindIn`.
 */
export const lazyCatchUpHome =
  (store: IndexStore, home: string, options: CatchUpOptions = {}): TE.TaskEither<EngineError, CatchUpSummary> =>
  async () => {
    // Once planned, the files it changes are noted until its end (`behindIn`), for every catch-up.
    let changing: ReadonlySet<string> | undefined;
    const planned = (paths: ReadonlySet<string>) => {
      options.onPlanned?.(paths);
      let set = behind.get(store);
      if (changing !== undefined) set?.delete(changing);
      changing = paths;
      if (set === undefined) behind.set(store, (set = new Set()));
      set.add(paths);
    };
    const run = (async () =>
      (await import('./catchUp.js')).catchUpHome(store, home, { ...options, onPlanned: planned })())();
    const mine: FilesCatchUp | undefined =
      options.files === undefined ? undefined : { paths: new Set(options.files.map((f) => f.path)), done: run };
    let set = running.get(store);
    if (mine !== undefined) {
      if (set === undefined) running.set(store, (set = new Set()));
      set.add(mine);
    }
    try {
      return await run;
    } finally {
      if (mine !== undefined) set?.delete(mine);
      if (changing !== undefined) behind.get(store)?.delete(changing);
    }
  };

/** `lazyCatchUpHome` of the rollout files at `paths` of `home` (as discovery would name them): a watch's take, a check's finds. */
export const catchUpPaths =
  (
    store: IndexStore,
    home: string,
    paths: ReadonlyArray<string>,
    options: CatchUpOptions = {},
  ): TE.TaskEither<EngineError, CatchUpSummary> =>
  async () => {
    const files = rolloutFilesAt(home, paths);
    return E.isLeft(files) ? files : lazyCatchUpHome(store, home, { ...options, files: files.right })();
  };

/** Per store: the files each catch-up running in this process changes (its plan's), from its plan to its end. */
const behind = new WeakMap<IndexStore, Set<ReadonlySet<string>>>();

/**
 * Whether a catch-up running in this process (a whole-home one included: serve's at start, a
 * backfill) planned to change one of `paths`: from its first row commit to its thread-row commit
 * their thread rows may be behind their rows. A read is never made to wait for a whole-home
 * catch-up: a backfill running behind serve waits between two files for the requests under way
 * (composition/requestsFirst.ts), so a request waiting for its end would wait for itself (it
 * hung serve, 7018404). The read re-derives its thread's row from the committed rows instead
 * (freshness.ts, threadRowRefresh.ts `rederiveThreadRow`).
 */
export const behindIn = (store: IndexStore, paths: ReadonlyArray<string>): boolean =>
  [...(behind.get(store) ?? [])].some((changing) => paths.some((p) => changing.has(p)));

/**
 * The end of every catch-up of given files running in this process that holds one of `paths`, or
 * null when none does. A catch-up commits a file's rows before its thread rows (threadRowsDue.ts):
 * between the two, the file looks indexed while its thread's row is the old one, so a read that
 * answered then would give new turns with old times (found by the compat mutations once every field
 * was compared: a fork Codex continued, read while serve's home watch caught it up). Such a
 * catch-up is a few files, so waiting for its end is short; a whole-home catch-up (a first build,
 * whose reads are served as it goes) is never waited for (a read of one of its files re-derives
 * its thread's row instead: `behindIn`).
 */
export const filesCatchUpsOf = (store: IndexStore, paths: ReadonlyArray<string>): Promise<void> | null => {
  const holding = [...(running.get(store) ?? [])].filter((c) => paths.some((p) => c.paths.has(p)));
  if (holding.length === 0) return null;
  const waiting = joinWatchers.get(store) ?? [];
  joinWatchers.delete(store);
  for (const told of waiting) told();
  return Promise.allSettled(holding.map((c) => c.done)).then(() => undefined);
};

const joinWatchers = new WeakMap<IndexStore, Array<() => void>>();

/** Settles when a read next waits on a catch-up of `store` (`filesCatchUpsOf`): a test scripts the interleaving by it. */
export const nextJoinOf = (store: IndexStore): Promise<void> =>
  new Promise((told) => {
    const waiting = joinWatchers.get(store) ?? [];
    waiting.push(told);
    joinWatchers.set(store, waiting);
  });
