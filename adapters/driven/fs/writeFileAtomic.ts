import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { thisProcess } from '../system/processIdentity.js';
import { openNoFollow } from './noFollow.js';

/** Test seam: runs between the complete temp file and the rename (a crash there must be harmless). */
export interface AtomicWriteHooks {
  readonly beforeRename?: (tempPath: string) => Promise<void>;
}

/** What the new file holds: its text or bytes, or a writer that streams them into the temp file. */
export type AtomicContent = string | Uint8Array | ((fh: FileHandle) => Promise<void>);

export interface AtomicWriteOptions {
  /**
   * The new file's mode, whatever the umask; `keep`: the replaced file's own mode (another
   * program's file keeps what its owner gave it), `mode` of `keep` when there is none.
   */
  readonly mode: number | { readonly keep: number };
  /** The folder the path must lie in without a link on the way (the home or the index dir); default: the path's own folder. */
  readonly root?: string;
  readonly hooks?: AtomicWriteHooks;
}

/**
 * A temp file's name: `.<file>.<pid>-[<startTicks>-]<hex>.tmp`. The pid and start time let the
 * leftovers sweep (adapters/driven/jsonl/home/leftovers.ts) tell a live writer's temp file from a killed one's
 * (a reused pid cannot claim it); the random part makes it unguessable, and it is created O_EXCL
 * and O_NOFOLLOW, so a link planted at a temp name is never followed.
 */
export const TEMP_NAME = /^\..+\.(\d+)-(?:(\d+)-)?[0-9a-f]{8}\.tmp$/;

/** This process in a temp name (pid and start time). */
export const tempSuffix = (): string => {
  const me = thisProcess();
  return me.startTicks === undefined ? `${me.pid}` : `${me.pid}-${me.startTicks}`;
};

/** A fresh temp name beside `path` (same folder, so its rename cannot cross file systems), never read as the target. */
export const tempPathBeside = (path: string): string =>
  nodePath.join(
    nodePath.dirname(path),
    `.${nodePath.basename(path)}.${tempSuffix()}-${randomBytes(4).toString('hex')}.tmp`,
  );

const modeOf = async (path: string, mode: AtomicWriteOptions['mode']): Promise<number> => {
  if (typeof mode === 'number') return mode;
  const st = await fs
    .lstat(path)
    .catch((err: unknown) => ((err as { code?: unknown }).code === 'ENOENT' ? undefined : Promise.reject(err)));
  return st?.isFile() === true ? st.mode & 0o777 : mode.keep;
};

/**
 * The one way the engine replaces a file, so readers (and a crash at any point) see the old file
 * or the new one, never a part: write an unguessable temp file beside it (created O_EXCL and
 * O_NOFOLLOW, so no planted link is followed; same folder, so the rename cannot cross file
 * systems), set its mode on the handle, fsync it, rename it over the target (a link at the target
 * is replaced, never followed), fsync the folder. A failed write removes its temp file; one left by
 * a killed process is never read (the name is not the target) and is swept as a leftover.
 */
export const writeFileAtomic = async (
  path: string,
  content: AtomicContent,
  options: AtomicWriteOptions,
): Promise<void> => {
  const dir = nodePath.dirname(path);
  const mode = await modeOf(path, options.mode);
  const temp = tempPathBeside(path);
  let renamed = false;
  try {
    const fh = await openNoFollow(options.root ?? dir, temp, 'create-exclusive', mode);
    try {
      if (typeof content === 'function') await content(fh);
      else await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await options.hooks?.beforeRename?.(temp);
    await fs.rename(temp, path);
    renamed = true;
    await syncFolder(dir);
  } finally {
    if (!renamed) await fs.rm(temp, { force: true });
  }
};

/** fsync a folder, so a rename or a new name in it survives a crash. */
export const syncFolder = async (dir: string): Promise<void> => {
  const d = await fs.open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
};
