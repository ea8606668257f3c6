import * as fsSync from 'node:fs';
import { openStatToReadSync } from './heldRead.js';

/**
 * Files kept open to read, by path. A serve reads a few byte ranges of the same rollouts again and
 * again (each page of items, each whole turn); opening the file each time through the no-follow
 * opener (its open, fstat, the readlink of its descriptor that checks the folders on the way, its
 * close) cost more than the read itself: about 27 µs of a page of one item (docs/benchmarks.md).
 *
 * A kept descriptor is read again only while an lstat of its path finds the file it holds, by
 * device and inode (a descriptor held keeps its inode from being reused): a file renamed, removed
 * or replaced since is closed, and the path opened again with every check. A folder on the way
 * swapped for a link meanwhile leads either to another file (opened anew, and refused) or to the
 * very file opened and checked before: nothing outside the root is read.
 *
 * What a process holds is bounded: at most `KEPT` files, the least recently read closed first, and
 * none idle longer than `IDLE_MS` (a file removed while kept gives its space back; a timer that
 * keeps no process alive closes them).
 */

/** Files kept open at most: a page reads one thread's file or a fork's few. */
export const KEPT = 32;
/** A kept file not read for this long is closed. */
export const IDLE_MS = 2_000;

interface Kept {
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
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

/** The path still names the file `k` holds (a link on the way followed: it may only lead back to it). */
const stillAt = (path: string, k: Kept): boolean => {
  let st: fsSync.Stats | undefined;
  try {
    st = fsSync.lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return false;
  }
  return st !== undefined && st.isFile() && st.ino === k.ino && st.dev === k.dev;
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

/**
 * `read` given a descriptor of the regular file at `path` (below `root` reached without a link,
 * as `openToReadSync` opens it), kept open for the next read of the same path. Synchronous, so no
 * other read closes it meanwhile. Throws as `openToReadSync` does.
 */
export const readKept = <T>(path: string, root: string | undefined, read: (fd: number) => T): T => {
  // A file checked below one root is not vouched for below another (or with none).
  const key = root === undefined ? `\0${path}` : `${root}\0${path}`;
  let k = kept.get(key);
  if (k !== undefined) {
    kept.delete(key);
    if (!stillAt(path, k)) {
      closeQuietly(k.fd);
      k = undefined;
    }
  }
  if (k === undefined) {
    const { fd, stats } = openStatToReadSync(path, root);
    k = { fd, dev: stats.dev, ino: stats.ino, usedAt: 0 };
    for (const [oldKey, old] of kept) {
      if (kept.size < KEPT) break;
      kept.delete(oldKey);
      closeQuietly(old.fd);
    }
  }
  k.usedAt = performance.now();
  kept.set(key, k);
  sweep ??= setTimeout(sweepIdle, IDLE_MS).unref();
  return read(k.fd);
};
