import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { constants as FS } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { LinkRefused, errnoCode } from './fsError.js';
import { isInsideHome } from './insideHome.js';
import { ownDescriptorLikeFolderSync, ownLikeFolder, ownMadeFoldersSync } from './ownership.js';

const NO_FOLLOW = FS.O_NOFOLLOW | FS.O_NONBLOCK;

/**
 * Opening the engine's own files (in the home and the index dir) without following links: a home
 * may belong to another user who planted a link where the engine writes (`quarantine.jsonl`,
 * `session_index.jsonl`, `.rollout-engine/…`), and a process run as root must not write, append to
 * or chmod the file that link names. Node has no `openat`, so a path is checked part by part
 * (`lstat`: a real folder, not a link) and the file itself is opened with O_NOFOLLOW, then
 * `fstat`ed: only a regular file is used (a FIFO would block, a device is not ours). A folder held by
 * handle and what is created through it: `heldFolder.ts`; the append rule: `appendNoFollow.ts`.
 */

/** `st` (from lstat or fstat) is what `want`s, not a link; else `LinkRefused` naming `path`. */
export const refuseUnless = (st: fsSync.Stats, path: string, want: 'folder' | 'file'): void => {
  if (st.isSymbolicLink()) throw new LinkRefused(path, 'a symbolic link');
  if (want === 'folder' ? !st.isDirectory() : !st.isFile())
    throw new LinkRefused(path, want === 'folder' ? 'not a folder' : 'not a regular file');
};

/**
 * Every folder from `root` (exclusive, it is the user's choice) down to `dir` (inclusive) that
 * exists is a real folder, not a link. Folders that do not exist yet are fine: they are created
 * by `mkdirNoFollow`. Throws `LinkRefused`.
 */
export const checkFoldersBelowSync = (root: string, dir: string): void => {
  const rel = nodePath.relative(root, dir);
  if (rel === '') return;
  if (rel.startsWith('..') || nodePath.isAbsolute(rel)) throw new LinkRefused(dir, `outside ${root}`);
  let at = root;
  for (const part of rel.split(nodePath.sep)) {
    at = nodePath.join(at, part);
    let st: fsSync.Stats;
    try {
      st = fsSync.lstatSync(at);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return;
      throw err;
    }
    refuseUnless(st, at, 'folder');
  }
};
/** `checkFoldersBelowSync` for asynchronous callers (a few `lstat`s of cached folders: cheaper done at once than through the thread pool). */
export const checkFoldersBelow = async (root: string, dir: string): Promise<void> => checkFoldersBelowSync(root, dir);

/**
 * `mkdir -p` of `dir` below `root`, each created folder with `mode` (whatever the umask), each
 * existing one below `root` a real folder (a link there is refused, never followed). Each call
 * made at once: the engine makes its folders before each write of its files (the append keys, the
 * quarantine), and under load a trip through the thread pool waits a turn of the event loop.
 */
export const mkdirNoFollow = async (root: string, dir: string, mode: number): Promise<void> => {
  // The root is the user's choice (it may be reached through links): made as `mkdir -p` would.
  const madeFirst = fsSync.mkdirSync(root, { recursive: true, mode });
  if (madeFirst !== undefined) fsSync.chmodSync(root, mode);
  ownMadeFoldersSync(madeFirst, root);
  checkFoldersBelowSync(root, dir);
  const rel = nodePath.relative(root, dir);
  let at = root;
  for (const part of rel === '' ? [] : rel.split(nodePath.sep)) {
    const parent = at;
    at = nodePath.join(at, part);
    try {
      fsSync.mkdirSync(at, { mode });
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      refuseUnless(fsSync.lstatSync(at), at, 'folder');
      continue;
    }
    // Its mode and owner (its parent's: ownership.ts) set on its handle, never through a link swapped in at its name.
    let made: number;
    try {
      made = fsSync.openSync(at, FS.O_RDONLY | FS.O_DIRECTORY | NO_FOLLOW);
    } catch (err) {
      if (errnoCode(err) === 'ELOOP' || errnoCode(err) === 'ENOTDIR')
        throw new LinkRefused(at, 'no longer the folder made');
      throw err;
    }
    try {
      fsSync.fchmodSync(made, mode);
      ownDescriptorLikeFolderSync(made, parent);
    } finally {
      fsSync.closeSync(made);
    }
  }
};

/** How `openNoFollow` opens a file: to read, to append (created when missing), or created (it must not exist). */
export type NoFollowMode = 'read' | 'append' | 'create-exclusive';

const openOnce = async (path: string, flags: number, mode: number): Promise<FileHandle> => {
  try {
    return await fs.open(path, flags | NO_FOLLOW, mode);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new LinkRefused(path, 'a symbolic link');
    throw err;
  }
};

/** The file opened, and whether this call created it. */
export const openAs = async (
  path: string,
  how: NoFollowMode,
  mode: number,
): Promise<{ fh: FileHandle; created: boolean }> => {
  if (how === 'read') return { fh: await openOnce(path, FS.O_RDONLY, mode), created: false };
  // An append reads too: its file's last byte (a fragment to end first, `PartialLastLine`).
  const create = (how === 'append' ? FS.O_RDWR | FS.O_APPEND : FS.O_WRONLY) | FS.O_CREAT | FS.O_EXCL;
  if (how === 'create-exclusive') return { fh: await openOnce(path, create, mode), created: true };
  for (;;) {
    try {
      return { fh: await openOnce(path, FS.O_RDWR | FS.O_APPEND, mode), created: false };
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    try {
      return { fh: await openOnce(path, create, mode), created: true };
    } catch (err) {
      // Another writer created it between the two opens: append to theirs.
      if (errnoCode(err) !== 'EEXIST') throw err;
    }
  }
};

/**
 * Open the file `path` below `root` without following a link at any part of the way: the
 * folders are checked (`checkFoldersBelow`), the file is opened O_NOFOLLOW | O_NONBLOCK (a FIFO
 * does not block the open) and must be a regular file. A file this call creates gets `mode`
 * whatever the umask and its folder's owner (`ownership.ts`), both set on the handle, never through
 * the path; an existing one keeps its own (it may be another program's: Codex's `session_index.jsonl`).
 */
export const openNoFollow = async (
  root: string,
  path: string,
  how: NoFollowMode,
  mode = 0o600,
): Promise<FileHandle> => {
  await checkFoldersBelow(root, nodePath.dirname(path));
  const { fh, created } = await openAs(path, how, mode);
  try {
    refuseUnless(await fh.stat(), path, 'file');
    if (created) {
      await fh.chmod(mode);
      // Its owner the folder's, as the home's owner would have made it (ownership.ts).
      await ownLikeFolder(fh, nodePath.dirname(path));
    }
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
};

/**
 * `openNoFollow`'s 'create-exclusive' for a small file made and closed at once on a hot path (a
 * writer's lock, taken and let go on each append): the same checks, mode and owner on a
 * descriptor, each call made at once rather than a trip through the thread pool (under load a
 * trip waits a turn of the event loop). The caller writes and closes it.
 */
export const createExclusiveNoFollowSync = (root: string, path: string, mode = 0o600): number => {
  checkFoldersBelowSync(root, nodePath.dirname(path));
  let fd: number;
  try {
    fd = fsSync.openSync(path, FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | NO_FOLLOW, mode);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new LinkRefused(path, 'a symbolic link');
    throw err;
  }
  try {
    refuseUnless(fsSync.fstatSync(fd), path, 'file');
    fsSync.fchmodSync(fd, mode);
    ownDescriptorLikeFolderSync(fd, nodePath.dirname(path));
    return fd;
  } catch (err) {
    fsSync.closeSync(fd);
    throw err;
  }
};

/**
 * The folder below which no link is followed for the engine's files in `dir`: the home when `dir`
 * lies in it (its `.rollout-engine/` may itself be a link its owner planted), else `dir` itself (an
 * `--index-dir` or cache folder: the user's own choice, links and all).
 */
export const confinementRoot = (home: string, dir: string): string => (isInsideHome(home, dir) ? home : dir);

/**
 * For code that must stay synchronous (LMDB's environment is opened synchronously): `path`, when
 * it exists, is a real folder or regular file as `want`s, not a link (lmdb-js opens `data.mdb`
 * and `lock.mdb` itself, following links: refused here before it does). Throws `LinkRefused`.
 */
export const refuseLinkSync = (path: string, want: 'folder' | 'file'): void => {
  let st: fsSync.Stats;
  try {
    st = fsSync.lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  refuseUnless(st, path, want);
};

/** chmod without following a link: the mode is set on a handle opened O_NOFOLLOW (a link there is refused). */
export const chmodNoFollowSync = (path: string, mode: number, want: 'folder' | 'file'): void => {
  const fd = fsSync.openSync(path, FS.O_RDONLY | NO_FOLLOW | (want === 'folder' ? FS.O_DIRECTORY : 0));
  try {
    refuseUnless(fsSync.fstatSync(fd), path, want);
    fsSync.fchmodSync(fd, mode);
  } finally {
    fsSync.closeSync(fd);
  }
};
