import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import { recordedFilesOf } from '../../domain/index/homeStats.js';
import type { FoldersAgain, HomeStats, HomeStatsFolder, ListedFolder } from '../../domain/index/homeStats.js';
import { errnoCode } from '../../adapters/driven/fs/fsError.js';
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
 * catch-up recorded: the files one stat shows changed, new in a folder whose times moved (the
 * session Codex wrote since) or gone (an archive moves a file: gone from its day's folder, new in
 * `archived_sessions/`), caught up as serve's watch catches up what it saw change, their
 * folders recorded again (`withFoldersRecorded`), and the facts beside the files that moved (a
 * rename, ours or Codex's: session_index.jsonl, the state DB's names and times) followed as the
 * watch follows them (`followThreadNames`). One stat a file and a folder, and the checkpoints of
 * the files changed: not every checkpoint read to settle the files that did not change (a whole-home
 * catch-up's first pass, measured in the commit that made this). True: the index is caught up with
 * the home; false: a whole-home catch-up is to decide (a link, two threads' files of one rollout, a folder
 * that cannot be read, more than names changed beside the files).
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
    const given = [...changes.paths, ...changes.gone];
    if (given.length > 0) {
      const caught = await catchUpPaths(store, home, given, { ...options, everyChange: true })();
      if (E.isLeft(caught)) return caught;
      if (options.signal?.aborted === true) return E.right(false);
    }
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
      const files = names.filter((n, i) => typeof statOf(i) === 'object' || parseRolloutFileName(n) !== undefined);
      return [f.path, { mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs, files, folders: below.get(f.path) ?? [] }];
    }),
  );
};

/**
 * The home's files against its recorded stats: as recorded; `files`: these files changed (their
 * stat) or came (in a folder whose times moved, a new folder, a root that came), or are ones a
 * stat cannot settle (`RecordedStat` `probe`), these are gone (from a folder whose times moved,
 * or with their folder), with what to record again once they are caught up (`FoldersAgain`: the
 * folders listed again with their times then, those holding a changed file, the folders gone, the
 * roots absent now). Every folder recorded is looked at, so the files named are every change a
 * whole-home catch-up would find: a rollout moved between them (an archive) is settled among
 * them. `wholeHome`: what only a whole-home catch-up settles (a link or device named as a rollout
 * or standing for a folder, one of two files claiming a rollout for two threads, a folder that cannot be read).
 */
export type ChangesSinceRecorded =
  | { readonly kind: 'asRecorded' }
  | ({
      readonly kind: 'files';
      readonly paths: ReadonlyArray<string>;
      readonly gone: ReadonlyArray<string>;
    } & FoldersAgain)
  | { readonly kind: 'wholeHome' };

const WHOLE_HOME: ChangesSinceRecorded = { kind: 'wholeHome' };

/** What the check found so far: the files changed or new, the files gone, and what to record again. */
interface Found {
  readonly paths: string[];
  readonly gone: string[];
  readonly folders: ListedFolder[];
  readonly goneFolders: string[];
  readonly absent: string[];
}

/** The home's roots, and how the whole-home walk lists a folder (`listRolloutHome`: below `sessions/` with its folders). */
interface HomeShape {
  readonly roots: ReadonlySet<string>;
  readonly recurses: (folder: string) => boolean;
  readonly recorded: ReadonlySet<string>;
  readonly nowMs: () => number;
}

/** `ChangesSinceRecorded` of `home` now: one stat a file and a folder, a listing of each folder whose times moved. */
export const changesSinceRecorded = (
  home: string,
  stats: HomeStats,
  nowMs: () => number = Date.now,
): ChangesSinceRecorded => {
  const sessions = nodePath.join(home, 'sessions');
  const shape: HomeShape = {
    roots: new Set([sessions, nodePath.join(home, 'archived_sessions')]),
    recurses: (path) => path === sessions || path.startsWith(`${sessions}${nodePath.sep}`),
    recorded: new Set(stats.folders.map((f) => f.path)),
    nowMs,
  };
  const found: Found = { paths: [], gone: [], folders: [], goneFolders: [], absent: [] };
  // A root that came (archived_sessions/ at the first archive): listed as the whole-home walk lists it.
  for (const root of stats.absent) {
    const came = folderStatOf(root);
    if (came === 'gone') {
      found.absent.push(root);
      continue;
    }
    const listed = came === undefined ? undefined : newFoldersAt(root, shape.recurses(root), nowMs);
    if (listed === undefined) return WHOLE_HOME;
    for (const f of listed) found.paths.push(...f.files);
    found.folders.push(...listed);
  }
  for (const folder of stats.folders) if (!foundIn(folder, shape, found)) return WHOLE_HOME;
  const { paths, gone, goneFolders, absent } = found;
  // No file changed, came or went: as recorded (a folder whose times moved alone is listed again by the next check, as before).
  return paths.length === 0 && gone.length === 0 && goneFolders.length === 0 && absent.length === stats.absent.length
    ? { kind: 'asRecorded' }
    : { kind: 'files', ...found };
};

/**
 * What changed in one recorded folder, added to `found`; false where only a whole-home catch-up
 * settles it. A folder gone takes its files with it (a root gone is absent, as the walk finds it);
 * one whose times moved is listed again (its times taken before its entries): its files recorded
 * and not listed are gone, new ones and new folders below are the catch-up's.
 */
const foundIn = (folder: HomeStatsFolder, shape: HomeShape, found: Found): boolean => {
  const { names, statOf } = recordedFilesOf(folder);
  const pathOf = (i: number) => `${folder.path}${nodePath.sep}${names[i]!}`;
  const st = folderStatOf(folder.path);
  if (st === undefined) return false;
  if (st === 'gone') {
    for (let i = 0; i < names.length; i++) {
      if (statOf(i) === 'wholeHome') return false;
      found.gone.push(pathOf(i));
    }
    found.goneFolders.push(folder.path);
    if (shape.roots.has(folder.path)) found.absent.push(folder.path);
    return true;
  }
  let listed: ListedFolder | undefined;
  let goneHere: ReadonlySet<string> = NONE;
  if (folder.mtimeMs === null || st.mtimeMs !== folder.mtimeMs || st.ctimeMs !== folder.ctimeMs) {
    const now = rolloutFolderNow(folder.path, shape.recurses(folder.path));
    if (now === undefined || now === 'absent') return false;
    const had = new Set(names);
    const listedNames = new Set(now.files.map((p) => nodePath.basename(p)));
    goneHere = new Set(names.filter((n) => !listedNames.has(n)));
    for (const p of now.files) if (!had.has(nodePath.basename(p))) found.paths.push(p);
    for (const d of now.folders) {
      if (shape.recorded.has(d)) continue;
      const came = newFoldersAt(d, true, shape.nowMs);
      if (came === undefined) return false;
      for (const f of came) found.paths.push(...f.files);
      found.folders.push(...came);
    }
    listed = { path: folder.path, mtimeMs: settledMtimeOf(st, shape.nowMs()), ctimeMs: st.ctimeMs, files: now.files };
  }
  let changedHere = false;
  for (let i = 0; i < names.length; i++) {
    const was = statOf(i);
    if (was === 'wholeHome') return false;
    if (goneHere.has(names[i]!)) {
      found.gone.push(pathOf(i));
      continue;
    }
    let now: fs.Stats;
    try {
      now = fs.lstatSync(pathOf(i));
    } catch {
      return false;
    }
    if (!now.isFile()) return false;
    // A file a stat cannot settle is probed by the catch-up each time; its folder's record stays as it is.
    if (was === 'probe') found.paths.push(pathOf(i));
    else if (now.size !== was.size || now.mtimeMs !== was.mtimeMs || now.ctimeMs !== was.ctimeMs) {
      found.paths.push(pathOf(i));
      changedHere = true;
    }
  }
  if (listed !== undefined) found.folders.push(listed);
  else if (changedHere)
    found.folders.push({
      path: folder.path,
      mtimeMs: folder.mtimeMs,
      ctimeMs: folder.ctimeMs,
      files: names.map((_, i) => pathOf(i)),
    });
  return true;
};

const NONE: ReadonlySet<string> = new Set();

/** A recorded folder now: its stats (a folder, not a link), `gone`, or undefined where only the whole-home walk settles it. */
const folderStatOf = (path: string): fs.Stats | 'gone' | undefined => {
  try {
    const st = fs.lstatSync(path);
    return st.isDirectory() ? st : undefined;
  } catch (err) {
    return errnoCode(err) === 'ENOENT' ? 'gone' : undefined;
  }
};

/**
 * A folder that came since the record (a new day's below `sessions/`, a root), and with `recurse`
 * each folder below it, listed as `listRolloutHome` lists them (times before entries); undefined
 * where it went meanwhile or holds what only the whole-home walk settles. Its depth is the home's
 * own: a path's length bounds it.
 */
const newFoldersAt = (dir: string, recurse: boolean, nowMs: () => number): ListedFolder[] | undefined => {
  const st = folderStatOf(dir);
  if (st === undefined || st === 'gone') return undefined;
  const now = rolloutFolderNow(dir, recurse);
  if (now === undefined || now === 'absent') return undefined;
  const out: ListedFolder[] = [
    { path: dir, mtimeMs: settledMtimeOf(st, nowMs()), ctimeMs: st.ctimeMs, files: now.files },
  ];
  for (const d of now.folders) {
    const below = newFoldersAt(d, true, nowMs);
    if (below === undefined) return undefined;
    out.push(...below);
  }
  return out;
};
