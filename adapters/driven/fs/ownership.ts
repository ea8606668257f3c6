import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { constants as FS } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';

/**
 * Who owns what the engine creates: the owner (uid and gid) of the folder it is created in. A home
 * belongs to its user, and Codex, run by that user, creates its files as that user
 * (codex-rs/core/src/rollout/recorder.rs: `create_dir_all` of the day folder, the rollout opened
 * with `OpenOptions` create; codex-rs/core/src/rollout/session_index.rs: `session_index.jsonl`
 * appended the same way — the umask's modes, the running user's uid and gid). The engine keeps
 * its own, stricter modes (0700 folders, 0600 files) and takes the owner from the folder; run
 * as root on that home (a rollback, a rename, an import, an index) would otherwise leave root's
 * files and folders there — today's day folder, `session_index.jsonl`, `.rollout-engine/` — that
 * the owner's Codex and engine can no longer read or write (EACCES). Only root (euid 0) gives a
 * file away: any other process creates its files as itself, as Codex would. The ownership is set on the handle of what was just created, never through a path a link
 * could be swapped in at; the folder's owner is read from its handle or its path (a swapped folder
 * only decides whose the new, still private file is).
 */

/** Whether this process can give what it creates away (root): only then does a new file's owner differ from its creator. */
const mayChown = (): boolean => process.geteuid?.() === 0;

/** The owner a new entry of `folder` takes. */
export interface FolderOwner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * A chown the system refuses even to root (EPERM: no CAP_CHOWN in this namespace; EINVAL: the
 * owner's uid is not mapped in it) leaves the entry as it was before this rule, the creator's:
 * the write it belongs to is not failed for it.
 */
const refusedToRoot = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPERM' || code === 'EINVAL';
};

/** `fh` (just created, in a folder owned by `owner`) given to that owner, when it is not theirs already. */
export const ownAs = async (fh: FileHandle, owner: FolderOwner): Promise<void> => {
  if (!mayChown()) return;
  const st = await fh.stat();
  if (st.uid !== owner.uid || st.gid !== owner.gid)
    await fh.chown(owner.uid, owner.gid).catch((err: unknown) => {
      if (!refusedToRoot(err)) throw err;
    });
};

/** The owner of `folder` (a path, or a handle's `/proc/self/fd/<fd>`); undefined when this process cannot give files away. */
export const ownerOf = async (folder: string | FileHandle): Promise<FolderOwner | undefined> => {
  if (!mayChown()) return undefined;
  const st = typeof folder === 'string' ? await fs.stat(folder) : await folder.stat();
  return { uid: st.uid, gid: st.gid };
};

/** `fh`, just created in the folder `folder`, given to that folder's owner. */
export const ownLikeFolder = async (fh: FileHandle, folder: string | FileHandle): Promise<void> => {
  const owner = await ownerOf(folder);
  if (owner !== undefined) await ownAs(fh, owner);
};

/**
 * The folders `mkdir -p` made, from `first` (what `fs.mkdir(..., { recursive: true })` returned)
 * down to `last`, given to the owner of the folder `first` was made in: each opened without
 * following a link and changed on its handle.
 */
export const ownMadeFolders = async (first: string | undefined, last: string): Promise<void> => {
  if (first === undefined || !mayChown()) return;
  const owner = await ownerOf(nodePath.dirname(first));
  if (owner === undefined) return;
  const rel = nodePath.relative(first, last);
  const chain = [
    first,
    ...(rel === '' || rel.startsWith('..')
      ? []
      : rel.split(nodePath.sep).map((_, i, parts) => nodePath.join(first, ...parts.slice(0, i + 1)))),
  ];
  for (const dir of chain) {
    const fh = await fs.open(dir, FS.O_RDONLY | FS.O_DIRECTORY | FS.O_NOFOLLOW);
    try {
      await ownAs(fh, owner);
    } finally {
      await fh.close();
    }
  }
};

const chownSyncUnlessRefused = (chown: () => void): void => {
  try {
    chown();
  } catch (err) {
    if (!refusedToRoot(err)) throw err;
  }
};

/**
 * For code that must stay synchronous (LMDB's environment, the home's check at start): `path` (a
 * folder or file the engine made; a link or another kind of entry is left as it is) given to the owner of its folder. `byName`:
 * changed by path without following a link (`lchown`) instead of on a handle — LMDB's `lock.mdb`,
 * whose locks this process would drop by closing any descriptor of it.
 */
export const ownLikeFolderSync = (path: string, want: 'folder' | 'file', byName = false): void => {
  if (!mayChown()) return;
  if (byName) {
    const parent = fsSync.statSync(nodePath.dirname(path));
    const st = fsSync.lstatSync(path);
    if (st.isSymbolicLink() || (want === 'folder' ? !st.isDirectory() : !st.isFile())) return;
    if (st.uid !== parent.uid || st.gid !== parent.gid)
      chownSyncUnlessRefused(() => fsSync.lchownSync(path, parent.uid, parent.gid));
    return;
  }
  const fd = fsSync.openSync(
    path,
    FS.O_RDONLY | FS.O_NOFOLLOW | FS.O_NONBLOCK | (want === 'folder' ? FS.O_DIRECTORY : 0),
  );
  try {
    const st = fsSync.fstatSync(fd);
    if (want === 'folder' ? !st.isDirectory() : !st.isFile()) return;
    ownDescriptorLikeFolderSync(fd, nodePath.dirname(path), st);
  } finally {
    fsSync.closeSync(fd);
  }
};

/** The entry open as `fd` (in `folder`; `st` its fstat, when already taken) given to the owner of `folder`. */
export const ownDescriptorLikeFolderSync = (fd: number, folder: string, known?: fsSync.Stats): void => {
  if (!mayChown()) return;
  const parent = fsSync.statSync(folder);
  const st = known ?? fsSync.fstatSync(fd);
  if (st.uid !== parent.uid || st.gid !== parent.gid)
    chownSyncUnlessRefused(() => fsSync.fchownSync(fd, parent.uid, parent.gid));
};

/** `ownMadeFolders` for synchronous code: each folder `mkdirSync(..., { recursive: true })` made, from `first` down to `last`, its parent's owner's. */
export const ownMadeFoldersSync = (first: string | undefined, last: string): void => {
  if (first === undefined || !mayChown()) return;
  const rel = nodePath.relative(first, last);
  let at = first;
  ownLikeFolderSync(at, 'folder');
  for (const part of rel === '' || rel.startsWith('..') ? [] : rel.split(nodePath.sep))
    ownLikeFolderSync((at = nodePath.join(at, part)), 'folder');
};

/**
 * A tree the engine copied in (a plugin's files, staged before they are moved into place) given,
 * entry by entry, to the owner of the folder it is to live in; a link is changed itself (`lchown`),
 * never what it leads to.
 */
export const ownTree = async (tree: string, folder: string): Promise<void> => {
  const owner = await ownerOf(folder);
  if (owner === undefined) return;
  const visit = async (path: string): Promise<void> => {
    const st = await fs.lstat(path);
    if (st.uid !== owner.uid || st.gid !== owner.gid)
      await fs.lchown(path, owner.uid, owner.gid).catch((err: unknown) => {
        if (!refusedToRoot(err)) throw err;
      });
    if (st.isDirectory()) for (const name of await fs.readdir(path)) await visit(nodePath.join(path, name));
  };
  await visit(tree);
};
