import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { constants as FS } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { invalidArgument } from '../../domain/errors.js';
import { LinkRefused, errnoCode } from './fsError.js';
import { isInsideHome } from './insideHome.js';
import type { CrashPointName } from '../system/crashPoint.js';
import { crashPoint, crashPointCutShort } from '../system/crashPoint.js';

/**
 * Opening the engine's own files (in the home and the index dir) without following links: a home
 * may belong to another user who planted a link where the engine writes (`quarantine.jsonl`,
 * `session_index.jsonl`, `.rollout-engine/…`), and a process run as root must not write, append to
 * or chmod the file that link names. Node has no `openat`, so a path is checked part by part
 * (`lstat`: a real folder, not a link) and the file itself is opened with O_NOFOLLOW, then
 * `fstat`ed: only a regular file is used (a FIFO would block, a device is not ours).
 */

/** `st` (from lstat or fstat) is what `want`s, not a link; else `LinkRefused` naming `path`. */
const refuseUnless = (st: fsSync.Stats, path: string, want: 'folder' | 'file'): void => {
  if (st.isSymbolicLink()) throw new LinkRefused(path, 'a symbolic link');
  if (want === 'folder' ? !st.isDirectory() : !st.isFile()) throw new LinkRefused(path, want === 'folder' ? 'not a folder' : 'not a regular file');
};

/**
 * Every folder from `root` (exclusive, it is the user's choice) down to `dir` (inclusive) that
 * exists is a real folder, not a link. Folders that do not exist yet are fine: they are created
 * by `mkdirNoFollow`. Throws `LinkRefused`.
 */
export const checkFoldersBelow = async (root: string, dir: string): Promise<void> => {
  const rel = nodePath.relative(root, dir);
  if (rel === '') return;
  if (rel.startsWith('..') || nodePath.isAbsolute(rel)) throw new LinkRefused(dir, `outside ${root}`);
  let at = root;
  for (const part of rel.split(nodePath.sep)) {
    at = nodePath.join(at, part);
    const st = await fs.lstat(at).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
    if (st === undefined) return;
    refuseUnless(st, at, 'folder');
  }
};

/**
 * `mkdir -p` of `dir` below `root`, each created folder with `mode` (whatever the umask), each
 * existing one below `root` a real folder (a link there is refused, never followed).
 */
export const mkdirNoFollow = async (root: string, dir: string, mode: number): Promise<void> => {
  // The root is the user's choice (it may be reached through links): made as `mkdir -p` would.
  if ((await fs.mkdir(root, { recursive: true, mode })) !== undefined) await fs.chmod(root, mode);
  await checkFoldersBelow(root, dir);
  const rel = nodePath.relative(root, dir);
  let at = root;
  for (const part of rel === '' ? [] : rel.split(nodePath.sep)) {
    at = nodePath.join(at, part);
    try {
      await fs.mkdir(at, { mode });
      await fs.chmod(at, mode);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      refuseUnless(await fs.lstat(at), at, 'folder');
    }
  }
};

/**
 * A folder held open from the moment it was checked, and the path that names it through that
 * handle (`/proc/self/fd/<fd>`: the kernel resolves it to the folder held, whatever is at its name
 * now — `openat` for a runtime without it). What is created through `at(name)` lands in the folder
 * that was checked even if a link is swapped in at its name meanwhile; `stillAt` tells whether its
 * name still leads to it, so a writer can take back a file whose folder was moved away.
 */
export interface HeldFolder {
  /** The path of `name` in the held folder (through the handle). */
  readonly at: (name: string) => string;
  /** Whether `dir` (the name it was held by) still leads, folder by folder without a link, to the folder held. */
  readonly stillAt: () => Promise<boolean>;
  /** `err` with each path through the handle said by the folder's own name, as the user knows it (a lock's timeout, an OS error). */
  readonly named: (err: unknown) => unknown;
  readonly close: () => Promise<void>;
}

/** `err` (an OS error, or an `EngineError`: plain data) with `from` said as `to` in its message, path and fields. */
const renamedIn = (err: unknown, from: string, to: string): unknown => {
  if (err instanceof Error) {
    err.message = err.message.replaceAll(from, to);
    const withPath = err as Error & { path?: unknown };
    if (typeof withPath.path === 'string') withPath.path = withPath.path.replaceAll(from, to);
    return err;
  }
  if (err === null || typeof err !== 'object') return err;
  const [inJson, toJson] = [from, to].map((p) => JSON.stringify(p).slice(1, -1)) as [string, string];
  return JSON.parse(JSON.stringify(err).replaceAll(inJson, toJson)) as unknown;
};

/** Where a held folder's handle names it; absent where the OS gives no such path (then folders are checked by name only). */
const HANDLE_PATHS = '/proc/self/fd';
let handlePaths: boolean | undefined;
const hasHandlePaths = (): boolean => (handlePaths ??= fsSync.existsSync(HANDLE_PATHS));

const FOLDER_FLAGS = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW | FS.O_NONBLOCK;

/** A folder's child opened through the parent's handle, never through a link; ENOENT when it is not there. */
const openChild = async (parent: FileHandle, name: string, logical: string): Promise<FileHandle> => {
  try {
    return await fs.open(`${HANDLE_PATHS}/${parent.fd}/${name}`, FOLDER_FLAGS);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new LinkRefused(logical, 'a symbolic link');
    if (errnoCode(err) === 'ENOTDIR') throw new LinkRefused(logical, 'not a folder');
    throw err;
  }
};

/** `openChild`, the folder made first when it is missing and `create` (its mode set on its handle, whatever the umask). */
const openOrMakeChild = async (parent: FileHandle, name: string, logical: string, options: { readonly create: boolean; readonly mode: number }): Promise<FileHandle> => {
  try {
    return await openChild(parent, name, logical);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' || !options.create) throw err;
  }
  // Made in the held parent; made by another writer meanwhile is as good.
  const made = await fs.mkdir(`${HANDLE_PATHS}/${parent.fd}/${name}`, { mode: options.mode }).then(
    () => true,
    (err: unknown) => (errnoCode(err) === 'EEXIST' ? false : Promise.reject(err)),
  );
  const child = await openChild(parent, name, logical);
  if (made)
    await child.chmod(options.mode).catch(async (err: unknown) => {
      await child.close();
      throw err;
    });
  return child;
};

/**
 * Hold `dir` (below `root`, which is followed: the user's choice) by handle: each folder from `root`
 * down is opened through its parent's handle without following a link (a link or non-folder on the
 * way is refused, `LinkRefused`), and, with `create`, a missing one is made in its parent (held)
 * with `mode` set on its handle (a missing `root` as `mkdir -p` makes it). Without `create` a
 * missing folder is ENOENT. Where the OS names no handle (`/proc/self/fd`), the folders are
 * checked and made by name (`mkdirNoFollow`).
 */
export const holdFolder = async (root: string, dir: string, options: { readonly create: boolean; readonly mode: number }): Promise<HeldFolder> => {
  const rel = nodePath.relative(root, dir);
  if (rel.startsWith('..') || nodePath.isAbsolute(rel)) throw new LinkRefused(dir, `outside ${root}`);
  const parts = rel === '' ? [] : rel.split(nodePath.sep);
  if (!hasHandlePaths()) {
    if (options.create) await mkdirNoFollow(root, dir, options.mode);
    else await checkFoldersBelow(root, dir);
    return { at: (name) => nodePath.join(dir, name), stillAt: async () => true, named: (err) => err, close: async () => undefined };
  }
  // The root is the user's choice (it may be reached through links): made as `mkdir -p` would.
  if (options.create && (await fs.mkdir(root, { recursive: true, mode: options.mode })) !== undefined) await fs.chmod(root, options.mode);
  let held = await fs.open(root, FS.O_RDONLY | FS.O_DIRECTORY);
  try {
    let at = root;
    for (const part of parts) {
      at = nodePath.join(at, part);
      const child = await openOrMakeChild(held, part, at, options);
      await held.close();
      held = child;
    }
  } catch (err) {
    await held.close();
    throw err;
  }
  const folder = held;
  return {
    at: (name) => `${HANDLE_PATHS}/${folder.fd}/${name}`,
    stillAt: async () => {
      const [now, want] = await Promise.all([fs.lstat(dir).catch(() => undefined), folder.stat()]);
      if (now === undefined || !now.isDirectory() || now.dev !== want.dev || now.ino !== want.ino) return false;
      return checkFoldersBelow(root, dir).then(
        () => true,
        () => false,
      );
    },
    named: (err) => renamedIn(err, `${HANDLE_PATHS}/${folder.fd}`, dir),
    close: () => folder.close(),
  };
};

/** How `openNoFollow` opens a file: to read, to append (created when missing), or created (it must not exist). */
export type NoFollowMode = 'read' | 'append' | 'create-exclusive';

const NO_FOLLOW = FS.O_NOFOLLOW | FS.O_NONBLOCK;

const openOnce = async (path: string, flags: number, mode: number): Promise<FileHandle> => {
  try {
    return await fs.open(path, flags | NO_FOLLOW, mode);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new LinkRefused(path, 'a symbolic link');
    throw err;
  }
};

/** The file opened, and whether this call created it. */
const openAs = async (path: string, how: NoFollowMode, mode: number): Promise<{ fh: FileHandle; created: boolean }> => {
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
 * whatever the umask (set on the handle, never through the path); an existing one keeps its own
 * (it may be another program's: Codex's `session_index.jsonl`).
 */
export const openNoFollow = async (root: string, path: string, how: NoFollowMode, mode = 0o600): Promise<FileHandle> => {
  await checkFoldersBelow(root, nodePath.dirname(path));
  const { fh, created } = await openAs(path, how, mode);
  try {
    refuseUnless(await fh.stat(), path, 'file');
    if (created) await fh.chmod(mode);
    return fh;
  } catch (err) {
    await fh.close();
    throw err;
  }
};

/** A file created in a held folder whose name no longer leads to it (moved, or a link swapped in): taken back, and the write refused. */
export const takeBackIfMoved = async (folder: HeldFolder | undefined, path: string, at: string): Promise<void> => {
  if (folder === undefined || (await folder.stillAt())) return;
  await fs.unlink(at).catch(() => undefined);
  throw new LinkRefused(nodePath.dirname(path), 'no longer the folder it was when the file was created in it (moved, or replaced by a link): the file is taken back');
};

/**
 * A new file (it must not exist) holding `content`, with `mode`; `durable`: its data fsynced before
 * it is closed. Its folder (below `root`, which must be there) is held by handle from the check
 * to the create (`holdFolder`): a folder swapped for a link meanwhile takes nothing out of `root`,
 * and a file created in a folder moved away meanwhile is taken back and refused. `folderHeld`: a
 * test's seam, called once the folder is held and before the file is created.
 */
export const createNoFollow = async (
  root: string,
  path: string,
  content: string | Uint8Array,
  mode: number,
  durable = false,
  folderHeld?: () => Promise<void>,
): Promise<void> => {
  const folder = await holdFolder(root, nodePath.dirname(path), { create: false, mode: 0o700 });
  try {
    await folderHeld?.();
    const at = folder.at(nodePath.basename(path));
    const { fh } = await openAs(at, 'create-exclusive', mode);
    try {
      refuseUnless(await fh.stat(), path, 'file');
      await fh.chmod(mode);
      await fh.writeFile(content);
      if (durable) await fh.datasync();
    } finally {
      await fh.close();
    }
    await takeBackIfMoved(folder, path, at);
  } catch (err) {
    throw folder.named(err);
  } finally {
    await folder.close();
  }
};

/**
 * A file with a second hard link is not written through: that link may be a file outside the home
 * linked in (or the home's file linked out), and a write would change it there too. Checked on the
 * opened handle (`st`), so no rename between a check and the write can slip another file in.
 * Every append of the engine (rollouts, `session_index.jsonl`, the thread-state log, the
 * replica's copies, the append keys) goes through this one rule.
 */
export const refuseHardLinked = (st: fsSync.Stats, path: string): void => {
  if (st.nlink > 1)
    throw invalidArgument(
      'path',
      `${path} has ${st.nlink} hard links: one may lead out of CODEX_HOME, so it is not written through (the engine never links the files it appends to)`,
    );
};

/**
 * `bytes` appended at the end (`O_APPEND`) of a file that was `sizeBefore` long: written again
 * only where the OS wrote short, and all or nothing — a failure part way (ENOSPC, EIO) cuts the
 * file back to `sizeBefore`, so no fragment is left for the next line to be glued to. The cut is
 * made only while the file ends with our fragment (a writer that ignores our lock may have
 * appended after it: its line is not cut). `cutShortAt`: the caller's crash point of a write
 * killed part way (`crashPointCutShort`; nothing is written there unless it kills).
 */
export const appendAllOrNothing = async (fh: FileHandle, bytes: Uint8Array, sizeBefore: number, cutShortAt?: CrashPointName): Promise<void> => {
  if (cutShortAt !== undefined) await crashPointCutShort(cutShortAt, bytes, (length) => fh.write(bytes, 0, length, null));
  let done = 0;
  try {
    while (done < bytes.length) {
      const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, null);
      done += bytesWritten;
    }
  } catch (err) {
    if (done > 0 && (await fh.stat()).size === sizeBefore + done) await fh.truncate(sizeBefore).catch(() => undefined);
    throw err;
  }
};

/**
 * What an append does with a last line that has no newline (a writer killed mid-line, or cut short
 * by a full disk before appends were cut back): once its bytes have stood still for `stillMs` (a
 * live writer that does not take our lock — Codex — may still be writing it), it is ended with a
 * newline before the new line, so every complete line stays and nothing is glued onto the fragment,
 * which readers (ours and Codex's) skip as a line that does not parse. A line completed meanwhile
 * is left as it is.
 */
export interface PartialLastLine {
  readonly stillMs: number;
}

/** The byte at `offset` of an open file, if there is one. */
export const byteAt = async (fh: FileHandle, offset: number): Promise<number | undefined> => {
  const one = Buffer.alloc(1);
  const { bytesRead } = await fh.read(one, 0, 1, offset);
  return bytesRead === 1 ? one[0] : undefined;
};

const NEWLINE = 0x0a;

/** Whether the open file ends in the middle of a line that has stood still for `stillMs` (size and mtime unchanged, or an mtime that old). */
const endsInStillFragment = async (fh: FileHandle, stillMs: number): Promise<boolean> => {
  let seen = { size: -1, mtimeMs: -1, since: Date.now() };
  for (;;) {
    const st = await fh.stat();
    if (st.size === 0 || (await byteAt(fh, st.size - 1)) === NEWLINE) return false;
    if (st.size !== seen.size || st.mtimeMs !== seen.mtimeMs) seen = { size: st.size, mtimeMs: st.mtimeMs, since: Date.now() };
    const now = Date.now();
    if (now - st.mtimeMs >= stillMs || now - seen.since >= stillMs) return true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, stillMs)));
  }
};

/** An append's crash points (`adapters/system/crashPoint.ts`): nothing written yet, the write cut short, fsynced. */
export interface AppendCrashPoints {
  readonly before: CrashPointName;
  readonly partial: CrashPointName;
  readonly synced: CrashPointName;
}

/**
 * `content` appended through `openNoFollow` (the file created with `mode` when missing) as one
 * write, all or nothing (`appendAllOrNothing`), never to a file with a second hard link
 * (`refuseHardLinked`); `durable`: fdatasynced before it returns; `partialLastLine`: a fragment
 * the file ends with is ended first (`PartialLastLine`; without it, appended after as it stands);
 * `crashPoints`: the caller's names for its steps.
 */
export const appendNoFollow = async (
  root: string,
  path: string,
  content: string | Uint8Array,
  mode: number,
  durable = false,
  partialLastLine?: PartialLastLine,
  crashPoints?: AppendCrashPoints,
): Promise<void> => {
  const fh = await openNoFollow(root, path, 'append', mode);
  try {
    refuseHardLinked(await fh.stat(), path);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const ended = partialLastLine !== undefined && (await endsInStillFragment(fh, partialLastLine.stillMs)) ? Buffer.concat([Buffer.from('\n'), bytes]) : bytes;
    if (crashPoints !== undefined) crashPoint(crashPoints.before);
    await appendAllOrNothing(fh, ended, (await fh.stat()).size, crashPoints?.partial);
    if (durable) await fh.datasync();
    if (crashPoints !== undefined) crashPoint(crashPoints.synced);
  } finally {
    await fh.close();
  }
};

/** A whole file's text, read through `openNoFollow` (a link there is refused, never read through). */
export const readTextNoFollow = async (root: string, path: string): Promise<string> => {
  const fh = await openNoFollow(root, path, 'read');
  try {
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
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
