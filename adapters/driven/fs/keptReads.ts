import * as fsSync from 'node:fs';
import { canCheckHandles, openToReadSync, stillReachedSync } from './heldRead.js';

/**
 * Files kept open to read, by root and path. A serve reads a few byte ranges of the same rollouts
 * again and again (each page of items, each whole turn); opening the file each time through the
 * no-follow opener (its open, fstat, the check of the folders on the way, its close) cost more
 * than the read itself (measured in the commit that made it).
 *
 * A kept descriptor is read again only after the check the opener makes passes again: its path
 * (`/proc/self/fd/<fd>`) is still the root's real path joined with `path` (`stillReachedSync`).
 * So a file renamed, removed or replaced at `path`, a folder on the way moved (out of the home
 * too) or swapped for a link, or a descriptor closed and its number taken by another file, is
 * dropped, and the path opened again with every check. What is read is what a fresh open would
 * read at that moment.
 *
 * Kept only below a root and where descriptors' paths can be read (/proc); elsewhere each read
 * opens and closes as before. At most `KEPT` files, the least recently read closed first; none
 * idle longer than `IDLE_MS` (a file removed while kept gives its space back; the timer keeps no
 * process alive); a read that throws closes its file.
 */

/** Files kept open at most: a page reads one thread's file or a fork's few. */
export const KEPT = 32;
/** A kept file not read for this long is closed. */
export const IDLE_MS = 2_000;

interface Kept {
  readonly fd: number;
  usedAt: number;
}

/** Insertion order is recency: a read takes its entry out and puts it back last. */
const kept = new Map<string, Kept>();
let sweep: NodeJS.Timeout | undefined;

const closeQuietly = (fd: number): void => {
  try {
    fsSync.closeSync(fd);
  } catch {
    // Closed already is closed.
  }
};

/** Closes the files not read for `idleMs` (all of them with 0); how many are still kept. */
export const closeIdleReads = (idleMs: number = IDLE_MS): number => {
  const now = performance.now();
  for (const [key, k] of kept)
    if (now - k.usedAt >= idleMs) {
      kept.delete(key);
      closeQuietly(k.fd);
    }
  return kept.size;
};

const sweepIdle = (): void => {
  sweep = undefined;
  if (closeIdleReads() > 0) sweep = setTimeout(sweepIdle, IDLE_MS).unref();
};

/** `read` of a file opened for it alone (no root to check a kept one against, or no /proc). */
const readOnce = <T>(path: string, root: string | undefined, read: (fd: number) => T): T => {
  const fd = openToReadSync(path, root);
  try {
    return read(fd);
  } finally {
    fsSync.closeSync(fd);
  }
};

/**
 * `read` given a descriptor of the regular file at `path` (below `root` reached without a link,
 * as `openToReadSync` opens it), kept open for the next read of the same path. Synchronous, so no
 * other read closes it meanwhile. Throws as `openToReadSync` does.
 */
export const readKept = <T>(path: string, root: string | undefined, read: (fd: number) => T): T => {
  if (root === undefined || !canCheckHandles()) return readOnce(path, root, read);
  const key = `${root}\0${path}`;
  let k = kept.get(key);
  if (k !== undefined) {
    kept.delete(key);
    if (!stillReachedSync(k.fd, root, path)) {
      closeQuietly(k.fd);
      k = undefined;
    }
  }
  if (k === undefined) {
    k = { fd: openToReadSync(path, root), usedAt: 0 };
    for (const [oldKey, old] of kept) {
      if (kept.size < KEPT) break;
      kept.delete(oldKey);
      closeQuietly(old.fd);
    }
  }
  let out: T;
  try {
    out = read(k.fd);
  } catch (err) {
    closeQuietly(k.fd);
    throw err;
  }
  k.usedAt = performance.now();
  kept.set(key, k);
  sweep ??= setTimeout(sweepIdle, IDLE_MS).unref();
  return out;
};
