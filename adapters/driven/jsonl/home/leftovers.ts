import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { isImportLockName } from '../../externalAgents/importLock.js';
import { thisProcess, whereabouts } from '../../system/processIdentity.js';
import { isAbandonedBreaker, lockFileAgeMs, removeStaleLock } from '../../fs/lockFile.js';
import { errnoCode } from '../../fs/fsError.js';
import { isSessionIndexLeftover } from './sessionIndex.js';
import { TEMP_NAME } from '../../fs/writeFileAtomic.js';
import { unreadableFolder } from './discover.js';

/**
 * What a writer killed at the wrong moment leaves in a rollout folder, and its removal:
 * - `.<file>.<pid>-[<startTicks>-]<hex>.tmp` (`tempPathBeside`), a file being built (`createFrom`,
 *   `writeFileAtomic`), or a second hard link of the finished file when the kill came between link
 *   and unlink;
 * - `<file>.lock` (and a temp file's lock) whose holder is gone, by the lock rule (lockFile.ts);
 * - `<file>.lock.break`, a breaker killed mid-break.
 * A temp file of a live process (its pid and start time) is left alone: it is being written.
 */
const TEMP = TEMP_NAME;

/** Whether a folder entry is one of a writer's own files beside a rollout (a temp file, a lock, a breaker): they come and go with each append. */
export const isWriterFile = (name: string): boolean =>
  TEMP.test(name) || name.endsWith('.lock') || name.endsWith('.lock.break');

export interface SweptLeftovers {
  temps: number;
  locks: number;
}

/**
 * Remove the leftovers of dead writers in one folder; counts what went. A folder that is gone has
 * none. `only` keeps the sweep to the names it accepts (CODEX_HOME's root: only the engine's own
 * import locks, never Codex's files).
 */
export const sweepFolder = async (
  dir: string,
  swept: SweptLeftovers = { temps: 0, locks: 0 },
  only: (name: string) => boolean = () => true,
): Promise<SweptLeftovers> => {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    // An unreadable folder holds nothing this process could have left there (discovery reports it).
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR' || unreadableFolder(err) !== undefined)
      return swept;
    throw err;
  }
  const gone = (err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err));
  // Breakers first: a lock is broken under its breaker file, which an abandoned one would block.
  const mine = names.filter(only);
  const ordered = [...mine.filter((n) => n.endsWith('.lock.break')), ...mine.filter((n) => !n.endsWith('.lock.break'))];
  for (const name of ordered) {
    const temp = TEMP.exec(name);
    // A rollout or another program's file, the most of a day folder: no path made for it.
    if (temp === null && !name.endsWith('.lock') && !name.endsWith('.lock.break')) continue;
    const path = nodePath.join(dir, name);
    if (temp !== null) {
      const mtimeMs = await fs.stat(path).then((s) => s.mtimeMs, gone);
      if (mtimeMs === undefined) continue;
      const owner = {
        pid: Number(temp[1]),
        host: thisProcess().host,
        startTicks: temp[2] === undefined ? undefined : Number(temp[2]),
      };
      if (whereabouts(owner, mtimeMs) !== 'gone') continue;
      await fs.unlink(path).catch(gone);
      swept.temps++;
    } else if (name.endsWith('.lock.break')) {
      // Aged as a waiting writer ages it: a breaker from the future counts from when this process first saw it.
      const ageMs = await fs.stat(path).then((s) => lockFileAgeMs(path, s), gone);
      if (ageMs !== undefined && isAbandonedBreaker(ageMs)) await fs.unlink(path).catch(gone);
    } else if (name.endsWith('.lock')) {
      if (
        await removeStaleLock(path).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? false : Promise.reject(err)))
      )
        swept.locks++;
    }
  }
  return swept;
};

/**
 * Sweep every day folder of a home's `sessions/` and `archived_sessions/` (`YYYY/MM/DD`, and the
 * roots), and in the home itself only the engine's own leftovers: the locks of killed imports and
 * what a killed `session_index.jsonl` rewrite left (its temp file, its lock). The home's other
 * files are other programs'.
 */
export const sweepHome = async (home: string): Promise<SweptLeftovers> => {
  const swept: SweptLeftovers = { temps: 0, locks: 0 };
  await sweepFolder(home, swept, (name) => isImportLockName(name) || isSessionIndexLeftover(name));
  const subdirs = async (dir: string): Promise<string[]> =>
    fs.readdir(dir, { withFileTypes: true }).then(
      (es) => es.filter((e) => e.isDirectory()).map((e) => nodePath.join(dir, e.name)),
      () => [],
    );
  for (const root of ['sessions', 'archived_sessions'].map((d) => nodePath.join(home, d))) {
    await sweepFolder(root, swept);
    for (const y of await subdirs(root))
      for (const m of await subdirs(y)) for (const d of await subdirs(m)) await sweepFolder(d, swept);
  }
  return swept;
};
