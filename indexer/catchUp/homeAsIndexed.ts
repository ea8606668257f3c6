import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import { HOME_STATS_KEY, HomeStats, homeStatsOf, recordedFilesOf } from '../../domain/index/homeStats.js';
import type { HomeStatsFolder } from '../../domain/index/homeStats.js';
import type { RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';
import { rolloutFolderNow } from '../../adapters/driven/jsonl/home/discover.js';
import { followThreadNames, threadRowsAsRefreshed } from './catchUpThreadRows.js';
import type { KnownFolder } from '../../adapters/driven/jsonl/home/homeWatch.js';
import { parseRolloutFileName } from '../../adapters/driven/jsonl/home/rolloutFileName.js';

/*
 * Whether a whole-home catch-up would change nothing, told from the home's stats the last one
 * recorded (domain/index/homeStats.ts) instead of from every checkpoint and a listing of every
 * folder: what lets a fresh `serve` answer from its index before its start-up catch-up has looked
 * at every file (adapters/driving/composition/openCodexHome.ts).
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
 * Whether the index is caught up with the home as it is now, as a whole-home catch-up would find
 * it (every file unchanged, none new or gone, the thread rows' other facts as they were), given
 * the home's stats it recorded (`recordedHomeStats`: no checkpoint moved since): no thread rows
 * are due, the names and provider are as the last refresh used, every folder whose times moved
 * lists the same entries, and every file has the size, mtime and ctime its checkpoint had. One
 * stat a file and a folder, no checkpoint read; false whenever it cannot tell (then a catch-up decides).
 */
export const homeAsIndexed = async (
  store: IndexStore,
  home: string,
  stats: HomeStats,
): Promise<E.Either<EngineError, boolean>> => {
  const rows = await threadRowsAsRefreshed(store, home);
  return E.map((asRefreshed: boolean) => asRefreshed && filesAsRecorded(home, stats))(rows);
};

/**
 * `homeAsIndexed`, and where only the facts beside the files moved since the record (a rename,
 * ours or Codex's: session_index.jsonl, the state DB's names and times), those followed as serve's
 * watch follows them (`followThreadNames`), not every checkpoint read to settle files that did not
 * change. True: the index is caught up with the home; false: a whole-home catch-up is to decide.
 */
export const caughtUpAsRecorded = async (
  store: IndexStore,
  home: string,
  stats: HomeStats,
): Promise<E.Either<EngineError, boolean>> => {
  const rows = await threadRowsAsRefreshed(store, home);
  if (E.isLeft(rows) || !filesAsRecorded(home, stats)) return E.map(() => false)(rows);
  if (rows.right) return E.right(true);
  return E.map((followed: 'followed' | 'notOnlyNames') => followed === 'followed')(
    await followThreadNames(store, home),
  );
};

/** The folders of the home's stats as the home watch takes them (adapters/driven/jsonl/home/homeWatch.ts `listed`). */
export const knownFoldersOf = (stats: HomeStats): ReadonlyMap<string, KnownFolder> => {
  const below = new Map<string, string[]>();
  for (const f of stats.folders) {
    const parent = nodePath.dirname(f.path);
    below.set(parent, [...(below.get(parent) ?? []), f.path]);
  }
  return new Map(
    stats.folders.map((f) => {
      const { names, statOf } = recordedFilesOf(f);
      // A file holding rows is a rollout by name; another entry (a link refused) is kept only if named as one.
      const files = names.filter((n, i) => statOf(i) !== undefined || parseRolloutFileName(n) !== undefined);
      return [f.path, { mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs, files, folders: below.get(f.path) ?? [] }];
    }),
  );
};

/** Whether every file and folder of the home is as `stats` recorded them (`homeAsIndexed` without the thread rows' facts). */
const filesAsRecorded = (home: string, stats: HomeStats): boolean => {
  for (const root of stats.absent) if (rolloutFolderNow(root, false) !== 'absent') return false;
  const sessions = nodePath.join(home, 'sessions');
  const recorded = new Set(stats.folders.map((f) => f.path));
  for (const folder of stats.folders) {
    let st: fs.Stats;
    try {
      st = fs.statSync(folder.path);
    } catch {
      return false;
    }
    if (!st.isDirectory()) return false;
    // Times as listed: the same entries. Else listed again, its entries must be the ones recorded.
    if (folder.mtimeMs === null || st.mtimeMs !== folder.mtimeMs || st.ctimeMs !== folder.ctimeMs) {
      const recurse = folder.path === sessions || folder.path.startsWith(`${sessions}${nodePath.sep}`);
      if (!sameEntries(folder, rolloutFolderNow(folder.path, recurse), recorded)) return false;
    }
    const { names, statOf } = recordedFilesOf(folder);
    for (let i = 0; i < names.length; i++) {
      const was = statOf(i);
      if (was === undefined) return false;
      let now: fs.Stats;
      try {
        now = fs.lstatSync(`${folder.path}${nodePath.sep}${names[i]!}`);
      } catch {
        return false;
      }
      if (!now.isFile() || now.size !== was.size || now.mtimeMs !== was.mtimeMs || now.ctimeMs !== was.ctimeMs)
        return false;
    }
  }
  return true;
};

/** Does a folder listed now hold the rollout files recorded, and no folder that was not recorded? */
const sameEntries = (
  folder: HomeStatsFolder,
  now: ReturnType<typeof rolloutFolderNow>,
  recorded: ReadonlySet<string>,
): boolean => {
  if (now === undefined || now === 'absent') return false;
  const names = new Set(recordedFilesOf(folder).names);
  if (now.folders.some((d) => !recorded.has(d)) || now.files.length !== names.size) return false;
  return now.files.every((p) => names.has(nodePath.basename(p)));
};
