import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import {
  HOME_STATS_KEY,
  HomeStats,
  homeStatsFrom,
  recordedFieldsOf,
  withFoldersRecorded,
} from '../../domain/index/homeStats.js';
import type { RecordedFields } from '../../domain/index/homeStats.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import { take, useCase } from '../../domain/effect.js';
import { eachCheckpoint } from '../reads/eachCheckpoint.js';
import { keepVouched, markVouchedRead } from './checkpointVouched.js';
import type { FoldersAgain } from '../../domain/index/homeStats.js';
import type { RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';

/*
 * The home's stats in the index (domain/index/homeStats.ts): written by a whole-home catch-up, and
 * by a catch-up of the files a check against them found changed (homeAsIndexed.ts); read by the
 * check of a process starting.
 */

/**
 * Record the home's stats after a whole-home catch-up: `listing` is the one it planned from, each
 * file's stats its committed checkpoint's. A catch-up that moved no checkpoint (`checkpointsMoved`
 * false) leaves a record that is there as it is: it still holds (at worst a folder whose times
 * moved is listed again by the check), and an unchanged home's catch-up writes nothing.
 *
 * The checkpoints are read in pieces, the index unmapped between them (`eachCheckpoint`): one read
 * of each listed file's checkpoint in a transaction mapped 194 MB of a 54,659-rollout index, which
 * stayed in a `serve`'s resident set after its start-up build. Meanwhile its own mark stands
 * under the key (checkpointVouched.ts), which a checkpoint written by another catch-up drops
 * (`movesCheckpoints`): the record is written only if that mark is still there, so it never
 * vouches for a checkpoint it did not read.
 */
export const recordHomeStats = async (
  store: IndexStore,
  listing: Pick<RolloutHomeListing, 'folders' | 'absent'>,
  checkpointsMoved: boolean,
): Promise<E.Either<EngineError, void>> =>
  useCase(async () => {
    const key = [...HOME_STATS_KEY] as const;
    if (!checkpointsMoved && (await recordedHomeStats(store)) !== undefined) return;
    const reading = await take(markVouchedRead(store, key));
    // Each listed file's fields, as a file with no checkpoint until its checkpoint is read.
    const fields = new Map<string, RecordedFields>();
    for (const f of listing.folders) for (const path of f.files) fields.set(path, NO_CHECKPOINT);
    const duplicates: FileCheckpoint[] = [];
    await take(
      eachCheckpoint(store, 'files', (cp) => {
        if (!fields.has(cp.path)) return;
        if (cp.duplicateOf !== null) duplicates.push(cp);
        else
          fields.set(
            cp.path,
            recordedFieldsOf(cp, () => undefined),
          );
      }),
    );
    // A duplicate's winner is looked up: a few, not the home's.
    for (const cp of duplicates) {
      const winner = await take(store.get('files', [cp.duplicateOf!]));
      fields.set(
        cp.path,
        recordedFieldsOf(cp, (path) => (path === cp.duplicateOf ? winner : undefined)),
      );
    }
    const stats = homeStatsFrom(listing.folders, listing.absent, (path) => fields.get(path)!);
    await take(keepVouched(store, key, reading, stats));
  })();

/** The fields of a listed file with no checkpoint. */
const NO_CHECKPOINT = recordedFieldsOf(undefined, () => undefined);

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
