// Named hold points for the terminal trials: `ROLLOUT_ENGINE_HOLD_AT=<point>[:<n>]` with
// `ROLLOUT_ENGINE_HOLD_FILE=<path>` makes the process, the n-th time (default the first) it
// reaches that point, create `<path>` and wait until it is removed. The wait is asynchronous, so
// meanwhile a progress bar redraws and a Ctrl-C is handled as at any other moment: a trial sees
// the state at a named step and acts on it there, instead of catching it in a screen captured
// every few milliseconds. Unset (always, outside the tests), a hold point does nothing.

import { promises as fs } from 'node:fs';
import { namedPointIn } from './crashPoint.js';

export const HOLD_AT_ENV = 'ROLLOUT_ENGINE_HOLD_AT';
export const HOLD_FILE_ENV = 'ROLLOUT_ENGINE_HOLD_FILE';

/**
 * - `index.batch.committed`: the index builder's (`indexer/write/indexFiles.ts`), a batch of files' rows
 *   and checkpoints committed, the next batch not yet read (any catch-up's: a CLI's first build, a
 *   request's own). In a worker thread (`index --workers`) each worker counts its own.
 * - `index.planned`: a catch-up's files listed and probed, its plan made, no file read yet
 *   (`indexer/catchUp/applyPlan.ts` `indexPlanned`): the window between a listing and the reads.
 * - `backfill.between`: a server's background build only (`adapters/driving/composition/openCodexHome.ts`),
 *   where it lets waiting requests go first: between probes and between files. Requests are
 *   answered meanwhile, from their own catch-ups.
 * - `rebuild.built`, `rebuild.swap.asideMoved`, `rebuild.swap.freshMoved`: a rebuild's swap
 *   (`indexer/open/openIndex.ts` `swapIndex`), just after the crash point of the same name: the fresh
 *   environment complete; the old one moved aside, none in place; the fresh one in place, the old
 *   one not yet removed. Under the index lock.
 * - `writerLocks.acquiring`: thread management about to take the writer locks of a thread's files
 *   (`adapters/driven/jsonl/writers/threadHomeFiles.ts` `underWriterLocks`: archive, unarchive, delete, name, fork),
 *   its files listed, no lock held yet.
 * - `rollout.move.before`: an archive's or unarchive's move, its locks held, before each file's
 *   rename (hit 1: none moved yet, hit 2: the first moved, …);
 *   `rollout.move.done`: every file moved, the locks still held, the index not yet told.
 * - `rollout.lock.acquiring`: a rollout write (`adapters/driven/jsonl/writers/lockedRolloutFile.ts` `underRolloutLock`:
 *   append, revision cut, new file), its file's folder held, about to take the file's lock.
 * - `revision.marked`: a revision cut (`adapters/driven/jsonl/writers/writer.ts` `reviseUnderLock`: rollback,
 *   revert), its base's lock held and marked superseded, the revision file not yet written.
 * - `revision.unlocked`: the same cut done, its base's lock let go, the revision not yet indexed.
 * - `rollout.ranges.reading`: a read of byte ranges of a rollout file the index named
 *   (`adapters/driven/jsonl/readers/readRange.ts` `readRanges`: an answer's items), the file not yet opened.
 * - `live.step.sent`: a look at a followed thread (`adapters/driving/rpc/threadSubscriptions.ts`), one
 *   step of its notifications handed to its followers' outboxes, the next not yet built.
 * - `search.found`: `thread/search` and `thread/search/stream` (`adapters/driving/rpc/methods/threadSearch.ts`),
 *   the page found, nothing sent yet: where a cancel meets a running search.
 */
export const HOLD_POINTS = [
  'index.batch.committed',
  'index.planned',
  'backfill.between',
  'rebuild.built',
  'rebuild.swap.asideMoved',
  'rebuild.swap.freshMoved',
  'writerLocks.acquiring',
  'rollout.move.before',
  'rollout.move.done',
  'rollout.lock.acquiring',
  'revision.marked',
  'revision.unlocked',
  'rollout.ranges.reading',
  'live.step.sent',
  'search.found',
] as const;

export type HoldPointName = (typeof HOLD_POINTS)[number];

const wanted = ((): { readonly point: string; readonly hit: number; readonly file: string } | null => {
  const at = namedPointIn(HOLD_AT_ENV);
  if (at === null) return null;
  const file = process.env[HOLD_FILE_ENV];
  if (file === undefined || file === '')
    throw new Error(`${HOLD_AT_ENV} is set: ${HOLD_FILE_ENV} must name the file it holds on`);
  return { ...at, file };
})();

let reached = 0;

/** Whether this process holds at some point (read once, at load): a hot path skips the call otherwise. */
export const holdsAtSomePoint: boolean = wanted !== null;

/** How often a hold looks whether its file is gone. */
const POLL_MS = 10;

/** The step `point` is reached: hold here while the environment's file exists, if it names this point and hit. */
export const holdPoint = async (point: HoldPointName): Promise<void> => {
  if (wanted === null || wanted.point !== point || ++reached !== wanted.hit) return;
  await fs.writeFile(wanted.file, `${process.pid}\n`, { flag: 'wx' });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      await fs.access(wanted.file);
    } catch {
      return;
    }
  }
};
