import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import { recordedFilesOf } from '../../domain/index/homeStats.js';
import type { HomeStats, ListedFolder } from '../../domain/index/homeStats.js';
import { rolloutFolderNow, settledMtimeOf } from '../../adapters/driven/jsonl/home/discover.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import { catchUpPaths } from './lazyCatchUp.js';
import { recordFoldersAgain } from './homeStatsRecord.js';
import { followThreadNames, threadRowsAsRefreshed } from './catchUpThreadRows.js';
import type { KnownFolder } from '../../adapters/driven/jsonl/home/homeWatch.js';
import { parseRolloutFileName } from '../../adapters/driven/jsonl/home/rolloutFileName.js';

/*
 * What a whole-home catch-up would change, told from the home's stats the last one recorded
 * (domain/index/homeStats.ts, homeStatsRecord.ts) instead of from every checkpoint and a listing
 * of every folder: what lets a fresh `serve` answer from its index before its start-up catch-up
 * has looked at every file (adapters/driving/composition/openCodexHome.ts), and a CLI run catch up
 * only the files Codex wrote since.
 */

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
  return E.map((asRefreshed: boolean) => asRefreshed && changesSinceRecorded(home, stats).kind === 'asRecorded')(rows);
};

/**
 * Catch the index up with the home as it is now, told from the home's stats the last whole-home
 * catch-up recorded: the files one stat shows changed, or new in a folder whose times moved (the
 * session Codex wrote since), caught up as serve's watch catches up what it saw change, their
 * folders recorded again (`withFoldersRecorded`), and the facts beside the files that moved (a
 * rename, ours or Codex's: session_index.jsonl, the state DB's names and times) followed as the
 * watch follows them (`followThreadNames`). One stat a file and a folder, and the checkpoints of
 * the files changed: not every checkpoint read to settle the files that did not change (a whole-home
 * catch-up's first pass, measured in the commit that made this). True: the index is caught up with
 * the home; false: a whole-home catch-up is to decide (a file or folder gone, a link, a root that
 * came, a file no stat settles, more than names changed beside the files).
 */
export const caughtUpAsRecorded = async (
  store: IndexStore,
  home: string,
  stats: HomeStats,
  options: CatchUpOptions = {},
): Promise<E.Either<EngineError, boolean>> => {
  const changes = changesSinceRecorded(home, stats);
  if (changes.kind === 'wholeHome') return E.right(false);
  if (changes.kind === 'files') {
    const caught = await catchUpPaths(store, home, changes.paths, options)();
    if (E.isLeft(caught)) return caught;
    if (options.signal?.aborted === true) return E.right(false);
    const recorded = await recordFoldersAgain(store, stats, changes);
    if (E.isLeft(recorded)) return recorded;
  }
  const rows = await threadRowsAsRefreshed(store, home);
  if (E.isLeft(rows) || rows.right) return rows;
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

/**
 * The home's files against its recorded stats: as recorded; `files`: these files changed (their
 * stat) or came (in a folder whose times moved), with the folders to record again (those listed
 * again, with their times now, and those holding a changed file); `wholeHome`: what only a
 * whole-home catch-up settles (a file or folder gone, a link or device named as a rollout, a root
 * that came, a file whose checkpoint no stat settles).
 */
export type ChangesSinceRecorded =
  | { readonly kind: 'asRecorded' }
  | { readonly kind: 'files'; readonly paths: ReadonlyArray<string>; readonly folders: ReadonlyArray<ListedFolder> }
  | { readonly kind: 'wholeHome' };

const WHOLE_HOME: ChangesSinceRecorded = { kind: 'wholeHome' };

/** `ChangesSinceRecorded` of `home` now: one stat a file and a folder, a listing of each folder whose times moved. */
export const changesSinceRecorded = (
  home: string,
  stats: HomeStats,
  nowMs: () => number = Date.now,
): ChangesSinceRecorded => {
  for (const root of stats.absent) if (rolloutFolderNow(root, false) !== 'absent') return WHOLE_HOME;
  const sessions = nodePath.join(home, 'sessions');
  const recorded = new Set(stats.folders.map((f) => f.path));
  const paths: string[] = [];
  const again: ListedFolder[] = [];
  for (const folder of stats.folders) {
    let st: fs.Stats;
    try {
      st = fs.statSync(folder.path);
    } catch {
      return WHOLE_HOME;
    }
    if (!st.isDirectory()) return WHOLE_HOME;
    const { names, statOf } = recordedFilesOf(folder);
    // Times as listed: the same entries. Else listed again (its times taken before its entries):
    // the files recorded must all be there; new ones, and new folders below, are the catch-up's.
    let listed: ListedFolder | undefined;
    if (folder.mtimeMs === null || st.mtimeMs !== folder.mtimeMs || st.ctimeMs !== folder.ctimeMs) {
      const recurse = folder.path === sessions || folder.path.startsWith(`${sessions}${nodePath.sep}`);
      const now = rolloutFolderNow(folder.path, recurse);
      if (now === undefined || now === 'absent') return WHOLE_HOME;
      const had = new Set(names);
      const kept = now.files.filter((p) => had.has(nodePath.basename(p))).length;
      if (kept !== names.length) return WHOLE_HOME;
      for (const p of now.files) if (!had.has(nodePath.basename(p))) paths.push(p);
      for (const d of now.folders) {
        if (recorded.has(d)) continue;
        const below = newFoldersAt(d, nowMs);
        if (below === undefined) return WHOLE_HOME;
        for (const f of below) paths.push(...f.files);
        again.push(...below);
      }
      listed = { path: folder.path, mtimeMs: settledMtimeOf(st, nowMs()), ctimeMs: st.ctimeMs, files: now.files };
    }
    let changedHere = false;
    for (let i = 0; i < names.length; i++) {
      const was = statOf(i);
      if (was === undefined) return WHOLE_HOME;
      const path = `${folder.path}${nodePath.sep}${names[i]!}`;
      let now: fs.Stats;
      try {
        now = fs.lstatSync(path);
      } catch {
        return WHOLE_HOME;
      }
      if (!now.isFile()) return WHOLE_HOME;
      if (now.size !== was.size || now.mtimeMs !== was.mtimeMs || now.ctimeMs !== was.ctimeMs) {
        paths.push(path);
        changedHere = true;
      }
    }
    if (listed !== undefined) again.push(listed);
    else if (changedHere)
      again.push({
        path: folder.path,
        mtimeMs: folder.mtimeMs,
        ctimeMs: folder.ctimeMs,
        files: names.map((n) => `${folder.path}${nodePath.sep}${n}`),
      });
  }
  // No file changed or came: as recorded (a folder whose times moved alone is listed again by the next check, as before).
  return paths.length === 0 ? { kind: 'asRecorded' } : { kind: 'files', paths, folders: again };
};

/**
 * A folder below `sessions/` that came since the record (a new day's), and each folder below it,
 * listed as `listRolloutHome` lists them (times before entries); undefined where it went meanwhile
 * or holds what only the whole-home walk settles. Its depth is the home's own: a path's length bounds it.
 */
const newFoldersAt = (dir: string, nowMs: () => number): ListedFolder[] | undefined => {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return undefined;
  const now = rolloutFolderNow(dir, true);
  if (now === undefined || now === 'absent') return undefined;
  const out: ListedFolder[] = [
    { path: dir, mtimeMs: settledMtimeOf(st, nowMs()), ctimeMs: st.ctimeMs, files: now.files },
  ];
  for (const d of now.folders) {
    const below = newFoldersAt(d, nowMs);
    if (below === undefined) return undefined;
    out.push(...below);
  }
  return out;
};
