import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import { HOME_STATS_KEY, HomeStats, homeStatsOf, withFoldersRecorded } from '../../domain/index/homeStats.js';
import type { FoldersAgain } from '../../domain/index/homeStats.js';
import type { RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';

/*
 * The home's stats in the index (domain/index/homeStats.ts): written by a whole-home catch-up, and
 * by a catch-up of the files a check against them found changed (homeAsIndexed.ts); read by the
 * check of a process starting.
 */

/**
 * Record the home's stats after a whole-home catch-up: `listing` is the one it planned from, each
 * file's stats its committed checkpoint's. One write of `meta`; a checkpoint written later drops
 * it. A catch-up that moved no checkpoint (`checkpointsMoved` false) leaves a record that is there
 * as it is: it still holds (at worst a folder whose times moved is listed again by the check), and
 * an unchanged home's catch-up writes nothing.
 */
export const recordHomeStats = async (
  store: IndexStore,
  listing: Pick<RolloutHomeListing, 'folders' | 'absent'>,
  checkpointsMoved: boolean,
): Promise<E.Either<EngineError, void>> => {
  if (!checkpointsMoved && (store.reader?.keys('meta', [...HOME_STATS_KEY]).length ?? 0) > 0) return E.right(undefined);
  const r = await store.commit((reader) => [
    {
      op: 'put',
      table: 'meta',
      key: [...HOME_STATS_KEY],
      value: homeStatsOf(listing.folders, listing.absent, (path) => reader.get('files', [path])),
    },
  ])();
  return E.map(() => undefined)(r);
};

/** The home's stats the last whole-home catch-up recorded, if no checkpoint moved since (undefined: none to go by). */
export const recordedHomeStats = async (store: IndexStore): Promise<HomeStats | undefined> => {
  const raw = await store.get('meta', HOME_STATS_KEY)();
  if (E.isLeft(raw) || raw.right === undefined) return undefined;
  const decoded = HomeStats.decode(raw.right);
  return E.isLeft(decoded) ? undefined : decoded.right;
};

/**
 * The home's stats with the folders a check found changed recorded again (and those gone dropped,
 * the absent roots those now), once their files were caught up: written where that catch-up's checkpoints dropped the record. A record still there
 * is either the one checked (the catch-up moved no checkpoint: the files are found changed again
 * next time) or a whole-home catch-up's (a given file held a rollout the index had at another
 * path): newer than this one, kept.
 */
export const recordFoldersAgain = async (
  store: IndexStore,
  stats: HomeStats,
  changes: FoldersAgain,
): Promise<E.Either<EngineError, void>> => {
  const r = await store.commit((reader) =>
    reader.keys('meta', [...HOME_STATS_KEY]).length > 0
      ? []
      : [
          {
            op: 'put',
            table: 'meta',
            key: [...HOME_STATS_KEY],
            value: withFoldersRecorded(stats, changes, (path) => reader.get('files', [path])),
          },
        ],
  )();
  return E.map(() => undefined)(r);
};
