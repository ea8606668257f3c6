import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import type { RolloutFile } from '../../../../domain/rollout/rolloutFile.js';
import { parseRolloutFileName } from './rolloutFileName.js';
import { errnoCode, toEngineError } from '../../fs/fsError.js';
import { byteOrder, racyMsOf, unreadableFolder } from './discover.js';

// A thread's revision files, looked for at each read of it (indexer/reads/freshness.ts): the day
// folders since its file, each listing kept while the folder stands (discover.ts lists the whole home).

/** A folder's times, as a stat saw them. */
interface FolderTimes {
  readonly dir: string;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

const sameTimes = (t: FolderTimes, st: fsSync.Stats): boolean => t.mtimeMs === st.mtimeMs && t.ctimeMs === st.ctimeMs;

/**
 * A folder's listing as it was, and the folder's times then: the listing holds while they do. The
 * looks made from it hold these times (one object a listing, not a copy a look).
 */
interface Listing {
  readonly times: FolderTimes;
  readonly value: unknown;
}

/**
 * Folder listings kept by this process (per folder path and purpose). A folder's mtime changes
 * when an entry is added, removed or renamed, so a listing is reused while the folder's mtime and
 * ctime are those it was made with. A listing made less than a racy interval after the folder
 * changed is not kept: a file system's timestamps are coarse (a clock tick), so a file created in
 * the same tick as the listing would leave the times as they were (`racyMsOf`).
 */
const listings = new Map<string, Listing>();

/** Listings under way, per key and folder times: asks that come meanwhile share one. */
const listingsUnderWay = new Map<string, { readonly times: FolderTimes; readonly value: Promise<unknown> }>();

/**
 * How long after its last day a folder of `sessions/` is settled. A writer names a rollout by its own
 * local date (`formatRolloutFileName`; Codex's writer alike: codex-rs/rollout/src/recorder.rs,
 * `precompute_new_rollout_path`, `OffsetDateTime::now_local()`), and local clocks run from 12 hours
 * behind UTC to 14 ahead, so once a folder's last day is this far past, no writer adds a rollout to
 * it: only a copy or a move could, and the whole-home catch-ups find those. Two days: every zone,
 * and a clock some minutes off.
 */
const SETTLED_AFTER_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * Listings of settled folders (per folder path and purpose), made once they were settled: reused
 * with no stat. A thread's revisions are looked for in every day folder since its first file, at
 * each read of it (`discoverRevisionFiles`): a stat a folder made a page of a thread a year old
 * cost a stat of each of 365 folders.
 */
const settledListings = new Map<string, unknown>();

/**
 * What one look for a thread's revisions read: the folders it stat-ed (their listings may still
 * change; a settled listing is read with no stat and cannot), and whether every listing it read
 * may be trusted again while those times hold (not one made too soon after its folder changed,
 * no folder gone between its parent's listing and its own stat).
 */
interface LookRecord {
  readonly folders: FolderTimes[];
  keepable: boolean;
}

/** The key of a folder's listing for a purpose, in `listings` and `settledListings`: the purpose, NUL, the folder. */
const listingKey = (dir: string, purpose: string): string => `${purpose}\0${dir}`;

/** The listing of a settled folder made before, if any (no stat, no await). */
const settledListing = <T>(dir: string, purpose: string): T | undefined =>
  settledListings.get(listingKey(dir, purpose)) as T | undefined;

/**
 * `list(dir)`, or its last answer while `dir` has not changed since; a missing folder lists as
 * empty. `lastDayEndMs`: the end (UTC) of the last day a dated folder holds; a listing made once it
 * is settled (`SETTLED_AFTER_MS`) is kept for good (`settledListing`).
 */
const listedOnce = async <T>(
  dir: string,
  purpose: string,
  list: () => Promise<T>,
  empty: T,
  lastDayEndMs: number,
  look: LookRecord,
): Promise<T> => {
  const final = settledListing<T>(dir, purpose);
  if (final !== undefined) return final;
  let st: fsSync.Stats;
  try {
    st = fsSync.statSync(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
      look.keepable = false;
      return empty;
    }
    throw err;
  }
  const key = listingKey(dir, purpose);
  const kept = listings.get(key);
  // A listing that may still change: a look made from it holds while the folder's times do.
  if (kept !== undefined && sameTimes(kept.times, st)) {
    look.folders.push(kept.times);
    return kept.value as T;
  }
  // A listing under way, started when these times were already past racy, answers as a new one would.
  const underWay = listingsUnderWay.get(key);
  if (underWay !== undefined && sameTimes(underWay.times, st)) {
    look.folders.push(underWay.times);
    return underWay.value as Promise<T>;
  }
  const times: FolderTimes = { dir, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
  const startedMs = Date.now();
  const settled = startedMs - Math.max(st.mtimeMs, st.ctimeMs) > racyMsOf(st);
  if (!settled) look.keepable = false;
  // Kept for good below, the folder is not looked at again (no writer adds to it).
  else if (!(startedMs - lastDayEndMs > SETTLED_AFTER_MS)) look.folders.push(times);
  const listing = list();
  if (settled) listingsUnderWay.set(key, { times, value: listing });
  try {
    const value = await listing;
    listings.delete(key);
    // Listed after its last writer could write (its days past): its listing holds for good.
    if (settled && startedMs - lastDayEndMs > SETTLED_AFTER_MS) settledListings.set(key, value);
    else if (settled) listings.set(key, { times, value });
    return value;
  } finally {
    if (listingsUnderWay.get(key)?.value === listing) listingsUnderWay.delete(key);
  }
};

/** Sub-folder names of `dir`, sorted (a missing `dir` has none); `lastDayEndMs`: as `listedOnce`. */
const subfolders = (dir: string, lastDayEndMs: number, look: LookRecord): Promise<ReadonlyArray<string>> =>
  listedOnce(
    dir,
    'folders',
    async () => {
      try {
        return (await fs.readdir(dir, { withFileTypes: true }))
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort(byteOrder);
      } catch (err) {
        // An unreadable folder holds no revision this process can read (the whole-home walk reports it).
        if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR' || unreadableFolder(err) !== undefined)
          return [];
        throw err;
      }
    },
    [],
    lastDayEndMs,
    look,
  );

type RevisionFile = RolloutFile & { readonly revisionId: string };

/** The revision files of every thread in one day folder, in name order; `lastDayEndMs`: as `listedOnce`. */
const revisionFilesIn = (
  dir: string,
  archived: boolean,
  lastDayEndMs: number,
  look: LookRecord,
): Promise<ReadonlyArray<RevisionFile>> =>
  listedOnce(
    dir,
    archived ? 'archivedRevisions' : 'revisions',
    async () => {
      const out: RevisionFile[] = [];
      // A day folder holds many rollouts and few revisions (a writer's lock coming and going makes
      // it listed again): only a revision's entry is parsed and sorted.
      let listed: Dirent[];
      try {
        listed = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        // An unreadable day folder holds no revision this process can read (the whole-home walk reports it).
        if (unreadableFolder(err) !== undefined) return out;
        throw err;
      }
      const entries = listed.filter((e) => e.name.includes('_'));
      for (const e of entries.sort((a, b) => byteOrder(a.name, b.name))) {
        const parsed = parseRolloutFileName(e.name);
        if (parsed?.revisionId === undefined) continue;
        const file = {
          path: nodePath.join(dir, e.name),
          archived,
          fileTimestamp: parsed.fileTimestamp,
          threadId: parsed.threadId,
          revisionId: parsed.revisionId,
        };
        // Refused as the whole-home walk refuses it (a link is never followed), not left out unsaid.
        out.push(
          e.isFile() ? file : { ...file, refused: 'not a regular file (a link, FIFO, socket or device): not followed' },
        );
      }
      return out;
    },
    [],
    lastDayEndMs,
    look,
  );

/**
 * The end (UTC) of the last day a `sessions/YYYY/MM/DD` folder can hold (a day past a short month's
 * end rolls into the next: later, never earlier); NaN for a name that is no number (never settled).
 */
const endOfDays = (year: string, month: string, day: string): number =>
  /^\d+$/.test(year) && /^\d+$/.test(month) && /^\d+$/.test(day)
    ? Date.UTC(Number(year), Number(month) - 1, Number(day) + 1)
    : Number.NaN;

/**
 * The revision files of a month folder's day folders from `fromDay` on, folder by folder in name
 * order. A settled month's are kept whole (every day) once each of its folders was listed settled:
 * an old thread's read then looks once a month, not once a day (a path and a key made a day were
 * most of a page's time).
 */
const revisionsByDay = async (
  monthDir: string,
  year: string,
  month: string,
  fromDay: string,
  look: LookRecord,
): Promise<ReadonlyArray<readonly [string, ReadonlyArray<RevisionFile>]>> => {
  const kept = settledListing<ReadonlyArray<readonly [string, ReadonlyArray<RevisionFile>]>>(
    monthDir,
    'revisionsByDay',
  );
  if (kept !== undefined) return kept;
  const lastDayEndMs = endOfDays(year, month, '31');
  // A month that may still be written is looked at from `fromDay` only, as each read asks.
  const monthSettled = Date.now() - lastDayEndMs > SETTLED_AFTER_MS;
  let allSettled = monthSettled;
  const out: Array<readonly [string, ReadonlyArray<RevisionFile>]> = [];
  for (const d of await subfolders(monthDir, lastDayEndMs, look)) {
    if (!monthSettled && d < fromDay) continue;
    const dayDir = nodePath.join(monthDir, d);
    out.push([d, await revisionFilesIn(dayDir, false, endOfDays(year, month, d), look)]);
    allSettled &&= settledListing(dayDir, 'revisions') !== undefined;
  }
  if (allSettled && settledListing(monthDir, 'folders') !== undefined)
    settledListings.set(listingKey(monthDir, 'revisionsByDay'), out);
  return out;
};

/**
 * A thread's last look for its revisions (per home, archived or not, thread and date): what it
 * found, and the folders it stat-ed. While each has the times it had, no folder the look read has
 * gained or lost an entry, and the look answers again with one stat a folder and nothing else: a
 * read of one thread looks at every request, and the walk down the folders it saves (a key and a
 * path a folder, an await a level) was a tenth of a small page's time (measured in the commit that made it). At
 * most LOOKS_KEPT threads' looks are kept, the oldest dropped first.
 */
interface Look {
  readonly files: ReadonlyArray<RolloutFile>;
  readonly folders: ReadonlyArray<FolderTimes>;
}
const looks = new Map<string, Look>();
const LOOKS_KEPT = 4096;

const stillAsLooked = (look: Look): boolean =>
  look.folders.every((f) => {
    const st = fsSync.statSync(f.dir, { throwIfNoEntry: false });
    return st !== undefined && sameTimes(f, st);
  });

/**
 * Revision files of one thread (`rollout-<ts>-<threadId>_<revisionId>.jsonl`) in the day folders
 * of `sessions/` dated `sinceDate` (YYYY-MM-DD, the date part of a rollout file name) or later.
 * A revert writes its revision into the folder of the revert's date, never an earlier one, so a
 * thread's new revisions are found by listing a few folders instead of the whole home; a folder
 * is listed again only once it has changed (`listedOnce`), and a settled one never
 * (`SETTLED_AFTER_MS`), so asking per request costs a stat per folder of the last days (and per
 * year and month folder since), and no more while they are as the thread's last look saw them (`Look`).
 */
export const discoverRevisionFiles = (
  home: string,
  threadId: string,
  sinceDate: string,
  archived = false,
): TE.TaskEither<EngineError, ReadonlyArray<RolloutFile>> =>
  TE.tryCatch(
    async () => {
      const key = `${archived ? 'archived' : 'sessions'}\0${home}\0${threadId}\0${sinceDate}`;
      const kept = looks.get(key);
      const found =
        kept !== undefined && stillAsLooked(kept)
          ? kept.files
          : await lookFor(key, home, threadId, sinceDate, archived);
      // A settled listing misses no file a writer adds, but may name one removed since (a folder
      // deleted, a thread archived): the thread's few are looked at, and if one is gone its
      // home's settled listings (and the looks made from them) are dropped and the folders listed again.
      if (found.every((f) => fsSync.lstatSync(f.path, { throwIfNoEntry: false }) !== undefined)) return found;
      const root = nodePath.join(home, archived ? 'archived_sessions' : 'sessions');
      for (const k of settledListings.keys()) {
        const dir = k.slice(k.indexOf('\0') + 1);
        if (dir === root || dir.startsWith(`${root}${nodePath.sep}`)) settledListings.delete(k);
      }
      looks.clear();
      return lookFor(key, home, threadId, sinceDate, archived);
    },
    (err) => toEngineError(home, 'discover revisions')(err),
  );

/** A look for a thread's revisions down the folders, kept when every listing it read may be trusted again (`LookRecord`). */
const lookFor = async (
  key: string,
  home: string,
  threadId: string,
  sinceDate: string,
  archived: boolean,
): Promise<ReadonlyArray<RolloutFile>> => {
  const look: LookRecord = { folders: [], keepable: true };
  // An archived thread's revisions are written beside its files, flat in archived_sessions/ (`RolloutFiles.pathFor`).
  const files = archived
    ? (await revisionFilesIn(nodePath.join(home, 'archived_sessions'), true, Number.NaN, look)).filter(
        (f) => f.threadId === threadId,
      )
    : await revisionsSince(nodePath.join(home, 'sessions'), threadId, sinceDate, look);
  looks.delete(key);
  if (look.keepable) {
    if (looks.size >= LOOKS_KEPT) looks.delete(looks.keys().next().value!);
    looks.set(key, { files, folders: look.folders });
  }
  return files;
};

/** The revision files of `threadId` in the day folders of `root` (`sessions/`) dated `sinceDate` or later. */
const revisionsSince = async (
  root: string,
  threadId: string,
  sinceDate: string,
  look: LookRecord,
): Promise<RolloutFile[]> => {
  const [y0, m0, d0] = sinceDate.split('-');
  const out: RolloutFile[] = [];
  for (const y of (await subfolders(root, Number.NaN, look)).filter((n) => n >= y0!)) {
    const yearDir = nodePath.join(root, y);
    for (const m of (await subfolders(yearDir, endOfDays(y, '12', '31'), look)).filter((n) => y > y0! || n >= m0!)) {
      const fromDay = y > y0! || m > m0! ? '' : d0!;
      for (const [d, files] of await revisionsByDay(nodePath.join(yearDir, m), y, m, fromDay, look))
        if (y > y0! || m > m0! || d >= d0!) for (const f of files) if (f.threadId === threadId) out.push(f);
    }
  }
  return out;
};
