import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { constants as FS } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { LinkRefused, errnoCode } from './fsError.js';
import { holdFolder } from './heldFolder.js';
import { refuseUnless } from './noFollow.js';

/**
 * Reading below a root that someone else may fill (a repository a client names, another agent's
 * home, a home's `config.toml`): each folder from the root down is opened through its parent's
 * handle without following a link (`heldFolder.ts`), and what is read in it is opened through that
 * handle O_NOFOLLOW | O_NONBLOCK and used only when it is a regular file (a FIFO, socket or device
 * is refused, never waited on). A link anywhere below the root, or a folder swapped for one
 * meanwhile, reads nothing outside it. Refusals are `LinkRefused`; a missing file or folder ENOENT.
 */

const HANDLE_PATHS = '/proc/self/fd';
let handlePaths: boolean | undefined;
const hasHandlePaths = (): boolean => (handlePaths ??= fsSync.existsSync(HANDLE_PATHS));

const FOLDER_FLAGS = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW | FS.O_NONBLOCK;
const FILE_FLAGS = FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK;

const refusalOf = (err: unknown, logical: string): unknown =>
  errnoCode(err) === 'ELOOP'
    ? new LinkRefused(logical, 'a symbolic link')
    : errnoCode(err) === 'ENOTDIR'
      ? new LinkRefused(logical, 'not a folder')
      : err;

const partsBelow = (root: string, dir: string): string[] => {
  const rel = nodePath.relative(root, dir);
  if (rel.startsWith('..') || nodePath.isAbsolute(rel)) throw new LinkRefused(dir, `outside ${root}`);
  return rel === '' ? [] : rel.split(nodePath.sep);
};

/** `dir` below `root` held open (a descriptor) as `holdFolder` holds it, synchronously: for code that must stay synchronous. */
const holdFolderSync = (
  root: string,
  dir: string,
): { readonly at: (name: string) => string; readonly close: () => void } => {
  const parts = partsBelow(root, dir);
  if (!hasHandlePaths()) {
    // No handle paths: each folder checked by name (a swap after the check is not caught here).
    let at = root;
    for (const part of parts) {
      at = nodePath.join(at, part);
      refuseUnless(fsSync.lstatSync(at), at, 'folder');
    }
    return { at: (name) => nodePath.join(dir, name), close: () => undefined };
  }
  let held = fsSync.openSync(root, FS.O_RDONLY | FS.O_DIRECTORY);
  let at = root;
  try {
    for (const part of parts) {
      at = nodePath.join(at, part);
      let child: number;
      try {
        child = fsSync.openSync(`${HANDLE_PATHS}/${held}/${part}`, FOLDER_FLAGS);
      } catch (err) {
        // O_DIRECTORY | O_NOFOLLOW on a link to a folder is ENOTDIR on Linux: told apart by a look at it.
        if (errnoCode(err) === 'ENOTDIR' && fsSync.lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink() === true)
          throw new LinkRefused(at, 'a symbolic link');
        throw refusalOf(err, at);
      }
      fsSync.closeSync(held);
      held = child;
    }
  } catch (err) {
    fsSync.closeSync(held);
    throw err;
  }
  const fd = held;
  return { at: (name) => `${HANDLE_PATHS}/${fd}/${name}`, close: () => fsSync.closeSync(fd) };
};

/** `dir`'s entries in the order the file system lists them (`opendir`, unsorted), `dir` held below `root` as above. */
export const listFolderSync = (root: string, dir: string): fsSync.Dirent[] => {
  const folder = holdFolderSync(root, dir);
  try {
    const handle = fsSync.opendirSync(folder.at('.'));
    const out: fsSync.Dirent[] = [];
    try {
      for (let e = handle.readSync(); e !== null; e = handle.readSync()) out.push(e);
    } finally {
      handle.closeSync();
    }
    return out;
  } finally {
    folder.close();
  }
};

/** What is at `path` below `root`, looked at without following a link anywhere (none: missing, or a link or non-folder on the way). */
export const kindBelowSync = (root: string, path: string): 'file' | 'dir' | 'other' | null => {
  if (nodePath.resolve(path) === nodePath.resolve(root))
    return fsSync.statSync(root, { throwIfNoEntry: false })?.isDirectory() === true ? 'dir' : null;
  let folder: ReturnType<typeof holdFolderSync>;
  try {
    folder = holdFolderSync(root, nodePath.dirname(path));
  } catch {
    return null;
  }
  try {
    const st = fsSync.lstatSync(folder.at(nodePath.basename(path)), { throwIfNoEntry: false });
    return st === undefined ? null : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } finally {
    folder.close();
  }
};

/**
 * Whether `dir` below `root` is a folder reached without a link: false when it is missing or not a
 * folder; `LinkRefused` when a link is on the way or at its name (the caller reports it, not as missing).
 */
export const folderBelowSync = (root: string, dir: string): boolean => {
  try {
    holdFolderSync(root, dir).close();
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || (err instanceof LinkRefused && err.what === 'not a folder')) return false;
    throw err;
  }
};

/** A regular file's text below `root`, as above (synchronous: small files of a configuration). */
export const readTextBelowSync = (root: string, path: string): string => {
  const folder = holdFolderSync(root, nodePath.dirname(path));
  try {
    let fd: number;
    try {
      fd = fsSync.openSync(folder.at(nodePath.basename(path)), FILE_FLAGS);
    } catch (err) {
      throw refusalOf(err, path);
    }
    try {
      refuseUnless(fsSync.fstatSync(fd), path, 'file');
      return fsSync.readFileSync(fd, 'utf8');
    } finally {
      fsSync.closeSync(fd);
    }
  } finally {
    folder.close();
  }
};

/** Each root's real path, resolved once: a descriptor's path (`/proc/self/fd/<fd>`) is compared with it. */
const realRoots = new Map<string, string>();
const realRootOf = (root: string): string => {
  let real = realRoots.get(root);
  if (real === undefined) {
    real = fsSync.realpathSync(root);
    realRoots.set(root, real);
  }
  return real;
};

/** Does `path` (its last part not followed) name the file open as `fd`? */
const namesFile = (path: string, fd: number): boolean => {
  let at: fsSync.Stats;
  try {
    at = fsSync.lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return false;
    throw err;
  }
  const open = fsSync.fstatSync(fd);
  return at.dev === open.dev && at.ino === open.ino;
};

/** The error of a file renamed or removed between its open and its check: the open's own ENOENT. */
const movedSinceOpened = (path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`ENOENT: ${path} was moved or removed as it was opened`), { code: 'ENOENT', path });

/** The descriptor's path (`/proc/self/fd/<fd>`) is the root's real path joined with `parts`. */
const handleNames = (fd: number, root: string, parts: ReadonlyArray<string>): boolean =>
  fsSync.readlinkSync(`${HANDLE_PATHS}/${fd}`) === nodePath.join(realRootOf(root), ...parts);

/**
 * Whether the file open as `fd` is still the one at `path` below `root`, reached without a link,
 * by the check `checkReachedSync` makes (one readlink of its descriptor's path): false when it was
 * renamed, removed or replaced at `path`, a folder on the way moved or swapped for a link, or the
 * descriptor is no longer open. Only where the system has handle paths (`canCheckHandles`).
 */
export const stillReachedSync = (fd: number, root: string, path: string): boolean => {
  try {
    return handleNames(fd, root, partsBelow(root, path));
  } catch {
    return false;
  }
};

/** Whether descriptors' paths can be read (/proc): `stillReachedSync` can answer. */
export const canCheckHandles = (): boolean => hasHandlePaths();

/**
 * The file open as `fd` is the one at `path` below `root` reached without a link: one readlink of
 * its descriptor's path, equal to the root's real path joined with `path`'s part below it (a folder
 * on the way swapped for a link leads elsewhere; a file moved since its open is ENOENT). Without /proc, each folder below `root` is
 * lstat-ed instead (a swap after that look is not caught). Throws `LinkRefused`.
 */
export const checkReachedSync = (fd: number, root: string, path: string): void => {
  const parts = partsBelow(root, path);
  if (hasHandlePaths()) {
    if (!handleNames(fd, root, parts)) {
      // Its descriptor names another path when the file was renamed or removed since it was opened
      // (an archive moving it, found by archiveLocks.int): it is gone from `path` as if the open had
      // come after (ENOENT, a NotFound the mutations read again where it lies). A path that still
      // names the opened file reached it through a link on the way.
      if (!namesFile(path, fd)) throw movedSinceOpened(path);
      throw new LinkRefused(path, 'reached through a link (a folder on the way)');
    }
    return;
  }
  let at = root;
  for (const part of parts.slice(0, -1)) {
    at = nodePath.join(at, part);
    refuseUnless(fsSync.lstatSync(at), at, 'folder');
  }
};

/**
 * A regular file opened to read by name on a hot path (a rollout that a listing found: many opens,
 * no folder held): O_RDONLY | O_NOFOLLOW | O_NONBLOCK (a link at it refused, a FIFO not waited on),
 * fstat-ed a regular file, and, given the `root` it lies below, reached through no link
 * (`checkReachedSync`: O(1) calls with /proc). A descriptor, as the synchronous readers use; the caller closes it.
 * Refusals are `LinkRefused` (code ELOOP): the caller skips and reports the file as a listing would.
 */
export const openToReadSync = (path: string, root?: string): number => {
  let fd: number;
  try {
    fd = fsSync.openSync(path, FILE_FLAGS);
  } catch (err) {
    throw refusalOf(err, path);
  }
  try {
    refuseUnless(fsSync.fstatSync(fd), path, 'file');
    if (root !== undefined) checkReachedSync(fd, root, path);
    return fd;
  } catch (err) {
    fsSync.closeSync(fd);
    throw err;
  }
};

/** `openToReadSync` as a FileHandle, for the asynchronous readers. */
export const openToRead = async (path: string, root?: string): Promise<FileHandle> => {
  let fh: FileHandle;
  try {
    fh = await fs.open(path, FILE_FLAGS);
  } catch (err) {
    throw refusalOf(err, path);
  }
  try {
    refuseUnless(await fh.stat(), path, 'file');
    if (root !== undefined) checkReachedSync(fh.fd, root, path);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
};

/** A regular file below `root` opened to read, its folder held as above; the caller closes it. */
export const openBelow = async (root: string, path: string): Promise<FileHandle> => {
  const folder = await holdFolder(root, nodePath.dirname(path), { create: false, mode: 0o700 });
  try {
    let fh: FileHandle;
    try {
      fh = await fs.open(folder.at(nodePath.basename(path)), FILE_FLAGS);
    } catch (err) {
      throw refusalOf(err, path);
    }
    try {
      refuseUnless(await fh.stat(), path, 'file');
      return fh;
    } catch (err) {
      await fh.close();
      throw err;
    }
  } catch (err) {
    throw folder.named(err);
  } finally {
    await folder.close();
  }
};

/** A regular file's bytes below `root`, read through `openBelow`. */
export const readBytesBelow = async (root: string, path: string): Promise<Buffer> => {
  const fh = await openBelow(root, path);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
};

/** A regular file's text below `root`, read through `openBelow`. */
export const readTextBelow = async (root: string, path: string): Promise<string> =>
  (await readBytesBelow(root, path)).toString('utf8');

/** A whole file's text, its folder held below `root` (`openBelow`): a link there is refused, never read through; a FIFO refused, never waited on. */
export const readTextNoFollow = readTextBelow;
