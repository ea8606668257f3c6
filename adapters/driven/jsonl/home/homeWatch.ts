import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parseRolloutFileName } from './rolloutFileName.js';
import { isWriterFile } from './leftovers.js';
import { errnoCode } from '../../fs/fsError.js';
import { unreadableFolder } from './discover.js';

/**
 * The rollout files of a home that changed since the last look, for a long-running process
 * (`serve`): a request catches up only those instead of probing every rollout of the home.
 *
 * Every folder of `sessions/` and `archived_sessions/` is watched (inotify on Linux), a new one as
 * it appears (watched before it is listed); an event on a rollout file marks it changed. As a
 * safety net against events the watch did not deliver, every folder's mtime is compared at a look
 * (at most every SAFETY_NET_MS): a folder whose entries changed has its rollout files looked at again. A
 * look cannot vouch for the home (answers `unknown`: catch the whole home up) the first time, when
 * a watched folder appears or goes, or when a watch fails. A change of `session_index.jsonl` (thread
 * names) is told apart (`takeNames`): it changes thread rows only, not the files to catch up.
 */
export interface HomeWatch {
  /** The changed rollout files since the last take (now taken), or `unknown`. */
  readonly take: () => ReadonlyArray<string> | 'unknown';
  /**
   * Whether `session_index.jsonl` changed since the last take of names (now taken); true at first,
   * and whenever the watch cannot say (no watch of the home, closed).
   */
  readonly takeNames: () => boolean;
  /** What was taken could not be caught up: the next take is `unknown`. */
  readonly lost: () => void;
  /** A mark to vouch with later: taken before a catch-up of the whole home starts. */
  readonly mark: () => WatchMark;
  /**
   * That catch-up succeeded: unless the watch lost track since `mark`, what it saw needs no other
   * look; unless the names changed since, they were read by it.
   */
  readonly vouch: (mark: WatchMark) => void;
  /** Whether a take would answer the changed files (not `unknown`): nothing taken, nothing looked at. */
  readonly vouched: () => boolean;
  readonly close: () => void;
}

/** The watch's losses of track and changes of names when it was taken. */
export interface WatchMark {
  readonly losses: number;
  readonly names: number;
}

const ROOTS = ['sessions', 'archived_sessions'] as const;
/** Entries of the home itself whose change the watch cannot follow file by file. */
const HOME_ENTRIES: ReadonlySet<string> = new Set(ROOTS);
/** Codex's thread names (codex-rs `core/src/rollout/session_index.rs`, appended to): a change of it is a change of names. */
const NAMES_FILE = 'session_index.jsonl';

/** How often at most the safety net looks at every folder's mtime. */
export const SAFETY_NET_MS = 100;

export interface HomeWatchOptions {
  /** The clock of the safety net's pace, in ms (the monotonic clock unless given: a test steps its own). */
  readonly now?: () => number;
  /**
   * Folders as a listing made before found them (the index's record of the home: homeAsIndexed.ts):
   * a folder whose times are still those is not listed again at start (its entries are the same).
   */
  readonly listed?: ReadonlyMap<string, KnownFolder>;
}

/** A folder as listed before: its times then (mtime null: too recent to vouch), its rollout files' names, its folders' paths. */
export interface KnownFolder {
  readonly mtimeMs: number | null;
  readonly ctimeMs: number;
  readonly files: ReadonlyArray<string>;
  readonly folders: ReadonlyArray<string>;
}

const isRollout = (name: string): boolean => parseRolloutFileName(name) !== undefined;

interface Folder {
  mtimeMs: number;
  readonly watcher: fs.FSWatcher;
  /** Its rollout files when last listed. */
  files: ReadonlySet<string>;
}

/**
 * `onRollout`: told of each event on a rollout file as it arrives (the live tail of `serve`).
 * long: a port's factory: the methods it returns share its closure's state
 */
export const watchHome = (
  home: string,
  onRollout?: (path: string) => void,
  options: HomeWatchOptions = {},
): HomeWatch => {
  const now = options.now ?? (() => performance.now());
  let unknown = true;
  /** Times the watch lost track. */
  let losses = 0;
  let closed = false;
  const changed = new Set<string>();
  let namesChanged = true;
  /** Changes of the names seen. */
  let namesSeq = 0;
  const namesChange = (): void => {
    namesChanged = true;
    namesSeq += 1;
  };
  const namesPath = nodePath.join(home, NAMES_FILE);
  /** The names file's times and size at the last look of the safety net (or of an event): a change it missed. */
  const namesStat = (): string => {
    try {
      const st = fs.lstatSync(namesPath);
      return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch (err) {
      return `absent:${errnoCode(err) ?? 'error'}`;
    }
  };
  let namesSeen = namesStat();
  /**
   * Every folder below the roots, each with its own (non-recursive) watch, its mtime and its rollout
   * files when last listed: a watch per folder costs O(folders) to start, where Node's recursive
   * watch walks every file.
   */
  const folders = new Map<string, Folder>();

  const fail = (): void => {
    unknown = true;
    losses += 1;
  };

  const forget = (dir: string): void => {
    for (const [d, f] of folders) {
      if (d !== dir && !d.startsWith(`${dir}${nodePath.sep}`)) continue;
      for (const name of f.files) changed.add(nodePath.join(d, name));
      f.watcher.close();
      folders.delete(d);
    }
  };

  /**
   * List `dir`: watch it (and the folders below it that are new) and take the rollout files that
   * came or went since it was last listed; a folder seen for the first time has all of its files
   * taken when `fresh` (it appeared while watched).
   */
  const list = (dir: string, fresh: boolean): void => {
    const known = folders.get(dir);
    // A new folder is watched before it is listed: a file created between the two is then both
    // listed and evented (taken twice, harmless), never neither.
    let watcher: fs.FSWatcher | undefined;
    if (known === undefined) {
      try {
        watcher = fs.watch(dir, { persistent: false }, (_event, name) => {
          if (name === null) return fail();
          const full = nodePath.join(dir, name.toString());
          if (isRollout(name.toString())) {
            changed.add(full);
            onRollout?.(full);
          } else if (isWriterFile(name.toString()))
            return; // a writer's lock or temp file: comes and goes with each append
          else if (!folders.has(full)) list(full, true); // a new folder (or not a folder: nothing to list)
        });
        watcher.on('error', () => {
          forget(dir);
          fail();
        });
      } catch (err) {
        // Gone before it could be watched: as a folder gone before it is listed. One this user may
        // not read (mode 000) is skipped as the whole-home walk skips it, not a loss of track: its
        // parent's watch sees its mode change (a chmod), and it is listed then.
        if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR' && unreadableFolder(err) === undefined) fail();
        return;
      }
    }
    let mtimeMs: number;
    let files: Set<string>;
    let below: ReadonlyArray<string>;
    try {
      const st = fs.statSync(dir);
      mtimeMs = st.mtimeMs;
      // Listed before with these times (and watched since): the same entries.
      const before = known === undefined ? options.listed?.get(dir) : undefined;
      if (before !== undefined && before.mtimeMs === st.mtimeMs && before.ctimeMs === st.ctimeMs) {
        files = new Set(before.files);
        below = before.folders;
      } else {
        const entries = fs.readdirSync(dir, { withFileTypes: true });
        files = new Set(entries.filter((e) => !e.isDirectory() && isRollout(e.name)).map((e) => e.name));
        below = entries.filter((e) => e.isDirectory()).map((e) => nodePath.join(dir, e.name));
      }
    } catch {
      watcher?.close();
      forget(dir);
      return;
    }
    if (known !== undefined) {
      for (const name of files) if (!known.files.has(name)) changed.add(nodePath.join(dir, name));
      for (const name of known.files) if (!files.has(name)) changed.add(nodePath.join(dir, name));
      known.mtimeMs = mtimeMs;
      known.files = files;
    } else {
      folders.set(dir, { mtimeMs, watcher: watcher!, files });
      if (fresh) for (const name of files) changed.add(nodePath.join(dir, name));
    }
    for (const full of below) if (!folders.has(full)) list(full, fresh || known !== undefined);
  };

  let homeWatcher: fs.FSWatcher | undefined;
  try {
    homeWatcher = fs.watch(home, { persistent: false }, (_event, name) => {
      if (name !== null && name.toString() === NAMES_FILE) {
        // What the safety net compares with: this change is told once, not again at its next look.
        namesSeen = namesStat();
        namesChange();
      } else if (name === null || HOME_ENTRIES.has(name.toString())) {
        namesChange();
        fail();
      }
    });
    homeWatcher.on('error', fail);
  } catch {
    homeWatcher = undefined;
  }
  for (const root of ROOTS) list(nodePath.join(home, root), false);

  /**
   * The safety net: folders whose entries changed are listed again, their rollout files taken as
   * changed; a root that appeared is watched. It stats every folder of the home, so it runs at most
   * once per SAFETY_NET_MS, not at every take of a busy server (the watch is what keeps takes
   * current; a writer's lock churning a day folder's mtime would otherwise list it per request).
   */
  let lookedAt = -Infinity;
  let namesLookedAt = -Infinity;
  /** The names file's part of the safety net: one lstat, at most once per SAFETY_NET_MS (a read of a thread looks only at it). */
  const lookAtNames = (): void => {
    const at = now();
    if (at - namesLookedAt < SAFETY_NET_MS) return;
    namesLookedAt = at;
    const names = namesStat();
    if (names !== namesSeen) {
      namesSeen = names;
      namesChange();
    }
  };
  const lookAtFolders = (): void => {
    lookAtNames();
    const at = now();
    if (at - lookedAt < SAFETY_NET_MS) return;
    lookedAt = at;
    for (const root of ROOTS) {
      const dir = nodePath.join(home, root);
      if (!folders.has(dir) && fs.existsSync(dir)) {
        list(dir, true);
        fail();
      }
    }
    for (const [dir, f] of [...folders]) {
      if (!folders.has(dir)) continue; // forgotten with its parent
      let mtimeMs: number;
      try {
        mtimeMs = fs.statSync(dir).mtimeMs;
      } catch {
        forget(dir);
        fail();
        continue;
      }
      if (mtimeMs !== f.mtimeMs) list(dir, true);
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
    takeNames: () => {
      if (homeWatcher === undefined || closed) return true;
      lookAtNames();
      const was = namesChanged;
      namesChanged = false;
      return was;
    },
    lost: fail,
    mark: () => ({ losses, names: namesSeq }),
    vouch: (mark) => {
      if (mark.losses === losses) unknown = false;
      if (mark.names === namesSeq) namesChanged = false;
    },
    vouched: () => homeWatcher !== undefined && !closed && !unknown,
    close: () => {
      closed = true;
      homeWatcher?.close();
      for (const f of folders.values()) f.watcher.close();
      folders.clear();
    },
  };
};
