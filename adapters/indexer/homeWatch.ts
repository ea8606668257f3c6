import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseRolloutFileName } from '../jsonl/rolloutFileName.js';

/**
 * The rollout files of a home that changed since the last look, for a long-running process
 * (`serve`): a request catches up only those instead of probing every rollout of the home.
 *
 * The `sessions/` and `archived_sessions/` folders are watched (recursively: inotify on Linux);
 * an event on a rollout file marks it changed. As a safety net against events the watch did not
 * deliver (a folder created just before its watch, a watch that failed), every folder's mtime is
 * compared at each look: a folder whose entries changed has its rollout files looked at again. A
 * look cannot vouch for the home (answers `unknown`: catch the whole home up) the first time, when
 * a watched folder appears or goes, when `session_index.jsonl` (thread names) changes, or when a
 * watch fails.
 */
export interface HomeWatch {
  /** The changed rollout files since the last take (now taken), or `unknown`. */
  readonly take: () => ReadonlyArray<string> | 'unknown';
  /** What was taken could not be caught up: the next take is `unknown`. */
  readonly lost: () => void;
  /** A mark to vouch with later: taken before a catch-up of the whole home starts. */
  readonly mark: () => number;
  /** That catch-up succeeded: unless the watch lost track since `mark`, what it saw needs no other look. */
  readonly vouch: (mark: number) => void;
  readonly close: () => void;
}

const ROOTS = ['sessions', 'archived_sessions'] as const;
/** Entries of the home itself whose change the watch cannot follow file by file. */
const HOME_ENTRIES: ReadonlySet<string> = new Set([...ROOTS, 'session_index.jsonl']);

const isRollout = (name: string): boolean => parseRolloutFileName(name) !== undefined;

export const watchHome = (home: string): HomeWatch => {
  let unknown = true;
  /** Times the watch lost track. */
  let losses = 0;
  let closed = false;
  const changed = new Set<string>();
  const watchers = new Map<string, fs.FSWatcher>();
  /** Every folder below the roots with its mtime when last listed. */
  const folders = new Map<string, number>();

  const fail = (): void => {
    unknown = true;
    losses += 1;
  };

  /** Record `dir` and the folders below it (their rollout files changed when `markFiles`). */
  const list = (dir: string, markFiles: boolean): void => {
    let st: fs.Stats;
    let entries: fs.Dirent[];
    try {
      st = fs.statSync(dir);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      folders.delete(dir);
      return;
    }
    folders.set(dir, st.mtimeMs);
    for (const e of entries) {
      const full = nodePath.join(dir, e.name);
      if (e.isDirectory()) list(full, markFiles);
      else if (markFiles && isRollout(e.name)) changed.add(full);
    }
  };

  const startRoot = (root: string): void => {
    const dir = nodePath.join(home, root);
    if (watchers.has(dir) || !fs.existsSync(dir)) return;
    try {
      const w = fs.watch(dir, { recursive: true, persistent: false }, (_event, name) => {
        if (name === null) return fail();
        const full = nodePath.join(dir, name.toString());
        if (isRollout(nodePath.basename(full))) changed.add(full);
      });
      w.on('error', () => {
        w.close();
        watchers.delete(dir);
        fail();
      });
      watchers.set(dir, w);
      list(dir, false);
      fail();
    } catch {
      fail();
    }
  };

  let homeWatcher: fs.FSWatcher | undefined;
  try {
    homeWatcher = fs.watch(home, { persistent: false }, (_event, name) => {
      if (name === null || HOME_ENTRIES.has(name.toString())) fail();
    });
    homeWatcher.on('error', fail);
  } catch {
    homeWatcher = undefined;
  }
  for (const root of ROOTS) startRoot(root);

  /** The safety net: folders whose entries changed are listed again, their rollout files taken as changed. */
  const lookAtFolders = (): void => {
    for (const root of ROOTS) {
      const dir = nodePath.join(home, root);
      if (!watchers.has(dir)) startRoot(root);
      else if (!fs.existsSync(dir)) {
        watchers.get(dir)?.close();
        watchers.delete(dir);
        fail();
      }
    }
    for (const [dir, mtimeMs] of [...folders]) {
      let now: number;
      try {
        now = fs.statSync(dir).mtimeMs;
      } catch {
        folders.delete(dir);
        fail();
        continue;
      }
      if (now !== mtimeMs) list(dir, true);
    }
  };

  return {
    take: () => {
      if (homeWatcher === undefined || closed) return 'unknown';
      lookAtFolders();
      const paths = [...changed];
      changed.clear();
      if (unknown) {
        unknown = false;
        return 'unknown';
      }
      return paths;
    },
    lost: fail,
    mark: () => losses,
    vouch: (mark) => {
      if (mark === losses) unknown = false;
    },
    close: () => {
      closed = true;
      homeWatcher?.close();
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
};
