import * as fsSync from 'node:fs';

/**
 * The file's `lstat` when it shows a regular file of the size, mtime and ctime given (see
 * probe.ts `unchangedSince`); undefined otherwise, or when it cannot be taken.
 */
export const lstatShows = (
  path: string,
  was: { readonly size: number; readonly mtimeMs: number; readonly ctimeMs: number },
): fsSync.Stats | undefined => {
  let st: fsSync.Stats;
  try {
    st = fsSync.lstatSync(path);
  } catch {
    return undefined; // the full probe says what is wrong with it
  }
  return st.isFile() && st.size === was.size && st.mtimeMs === was.mtimeMs && st.ctimeMs === was.ctimeMs
    ? st
    : undefined;
};

/**
 * Whether the file is as a checkpoint says: a regular file of its size and times (`lstatShows`),
 * or, with no checkpoint, no file at all (one moved or deleted, and forgotten by the index).
 */
export const asCheckpointSays = (
  path: string,
  cp: { readonly size: number; readonly mtimeMs: number; readonly ctimeMs: number } | undefined,
): boolean =>
  cp === undefined
    ? fsSync.lstatSync(path, { throwIfNoEntry: false }) === undefined
    : lstatShows(path, cp) !== undefined;

/** A folder's times by `lstat`, or that it is missing or no real folder (a link is listed through, so its own times say nothing of what it leads to). */
export type FolderTimes = { readonly mtimeMs: number; readonly ctimeMs: number } | 'missing' | 'not a folder';

export const folderTimes = (dir: string): FolderTimes => {
  const st = fsSync.lstatSync(dir, { throwIfNoEntry: false });
  return st === undefined
    ? 'missing'
    : st.isDirectory()
      ? { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs }
      : 'not a folder';
};
