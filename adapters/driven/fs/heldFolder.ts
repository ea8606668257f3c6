import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { constants as FS } from 'node:fs';
import * as nodePath from 'node:path';
import { LinkRefused, errnoCode } from './fsError.js';
import { checkFoldersBelow, mkdirNoFollow, openAs, refuseUnless } from './noFollow.js';
import { ownDescriptorLikeFolderSync, ownLikeFolder, ownMadeFoldersSync } from './ownership.js';

/**
 * A folder held by handle from the moment it was checked (`holdFolder`), and what is made in it
 * through that handle (`createNoFollow`; a file whose folder moved away meanwhile taken back,
 * `takeBackIfMoved`): a link swapped in at a folder's name after the check takes nothing out of the
 * root. Its own file because the held handle, its `/proc/self/fd` path and its renaming of errors are
 * one mechanism, built on `noFollow.ts`'s checks by name.
 */

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
  // Our own stringify of a value already in memory, not text that entered: no nesting bound needed.
  // eslint-disable-next-line no-restricted-properties
  return JSON.parse(JSON.stringify(err).replaceAll(inJson, toJson)) as unknown;
};

/** Where a held folder's handle names it; absent where the OS gives no such path (then folders are checked by name only). */
const HANDLE_PATHS = '/proc/self/fd';
let handlePaths: boolean | undefined;
const hasHandlePaths = (): boolean => (handlePaths ??= fsSync.existsSync(HANDLE_PATHS));

const FOLDER_FLAGS = FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW | FS.O_NONBLOCK;

/** A folder's child opened through the parent's handle, never through a link; ENOENT when it is not there. */
const openChild = (parent: number, name: string, logical: string): number => {
  try {
    return fsSync.openSync(`${HANDLE_PATHS}/${parent}/${name}`, FOLDER_FLAGS);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP') throw new LinkRefused(logical, 'a symbolic link');
    // O_DIRECTORY | O_NOFOLLOW on a link to a folder is ENOTDIR on Linux: told apart by a look at it.
    if (errnoCode(err) === 'ENOTDIR')
      throw new LinkRefused(
        logical,
        fsSync.lstatSync(logical, { throwIfNoEntry: false })?.isSymbolicLink() === true
          ? 'a symbolic link'
          : 'not a folder',
      );
    throw err;
  }
};

/** `openChild`, the folder made first when it is missing and `create` (its mode set on its handle, whatever the umask). */
const openOrMakeChild = (
  parent: number,
  name: string,
  logical: string,
  options: { readonly create: boolean; readonly mode: number },
): number => {
  try {
    return openChild(parent, name, logical);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' || !options.create) throw err;
  }
  // Made in the held parent; made by another writer meanwhile is as good.
  let made = true;
  try {
    fsSync.mkdirSync(`${HANDLE_PATHS}/${parent}/${name}`, { mode: options.mode });
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    made = false;
  }
  const child = openChild(parent, name, logical);
  if (made)
    try {
      fsSync.fchmodSync(child, options.mode);
      // Its owner the parent's, as the home's owner would have made it (ownership.ts): a day folder root made stays the owner's.
      ownDescriptorLikeFolderSync(child, `${HANDLE_PATHS}/${parent}`);
    } catch (err) {
      fsSync.closeSync(child);
      throw err;
    }
  return child;
};

/**
 * Hold `dir` (below `root`, which is followed: the user's choice) by handle: each folder from `root`
 * down is opened through its parent's handle without following a link (a link or non-folder on the
 * way is refused, `LinkRefused`), and, with `create`, a missing one is made in its parent (held)
 * with `mode` and its parent's owner (`ownership.ts`) set on its handle (a missing `root` as `mkdir -p` makes it). Without `create` a
 * missing folder is ENOENT. Where the OS names no handle (`/proc/self/fd`), the folders are
 * checked and made by name (`mkdirNoFollow`).
 */
export const holdFolder = async (
  root: string,
  dir: string,
  options: { readonly create: boolean; readonly mode: number },
): Promise<HeldFolder> => {
  const rel = nodePath.relative(root, dir);
  if (rel.startsWith('..') || nodePath.isAbsolute(rel)) throw new LinkRefused(dir, `outside ${root}`);
  const parts = rel === '' ? [] : rel.split(nodePath.sep);
  if (!hasHandlePaths()) {
    if (options.create) await mkdirNoFollow(root, dir, options.mode);
    else await checkFoldersBelow(root, dir);
    return {
      at: (name) => nodePath.join(dir, name),
      stillAt: async () => true,
      named: (err) => err,
      close: async () => undefined,
    };
  }
  // The root is the user's choice (it may be reached through links): made as `mkdir -p` would.
  // Each step is a call made at once, not a trip through the thread pool: a writer holds its
  // folder on each append, and under load each trip waits a turn of the event loop.
  if (options.create) {
    const madeFirst = fsSync.mkdirSync(root, { recursive: true, mode: options.mode });
    if (madeFirst !== undefined) fsSync.chmodSync(root, options.mode);
    ownMadeFoldersSync(madeFirst, root);
  }
  let held = fsSync.openSync(root, FS.O_RDONLY | FS.O_DIRECTORY);
  try {
    let at = root;
    for (const part of parts) {
      at = nodePath.join(at, part);
      const child = openOrMakeChild(held, part, at, options);
      fsSync.closeSync(held);
      held = child;
    }
  } catch (err) {
    fsSync.closeSync(held);
    throw err;
  }
  // A descriptor closed is never named again: its number may be another file's by then.
  let folder = held;
  return {
    at: (name) => `${HANDLE_PATHS}/${folder}/${name}`,
    stillAt: async () => {
      const now = fsSync.lstatSync(dir, { throwIfNoEntry: false });
      const want = fsSync.fstatSync(folder);
      if (now === undefined || !now.isDirectory() || now.dev !== want.dev || now.ino !== want.ino) return false;
      return checkFoldersBelow(root, dir).then(
        () => true,
        () => false,
      );
    },
    named: (err) => renamedIn(err, `${HANDLE_PATHS}/${folder}`, dir),
    close: async () => {
      if (folder < 0) return;
      fsSync.closeSync(folder);
      folder = -1;
    },
  };
};

/** A file created in a held folder whose name no longer leads to it (moved, or a link swapped in): taken back, and the write refused. */
export const takeBackIfMoved = async (folder: HeldFolder | undefined, path: string, at: string): Promise<void> => {
  if (folder === undefined || (await folder.stillAt())) return;
  await fs.unlink(at).catch(() => undefined);
  throw new LinkRefused(
    nodePath.dirname(path),
    'no longer the folder it was when the file was created in it (moved, or replaced by a link): the file is taken back',
  );
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
      await ownLikeFolder(fh, nodePath.dirname(at));
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
