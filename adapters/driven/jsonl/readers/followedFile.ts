import * as fsSync from 'node:fs';

/** What of a followed file is not read yet. */
export interface Unread {
  readonly from: number;
  readonly size: number;
  /** It is another file than the one read (a new inode), or shorter than what was read: what was known from it goes, and `from` is 0. */
  readonly restarted: boolean;
}

/**
 * Where a reader of an append-only JSONL sidecar stands (the idempotency keys of `rollout/append`,
 * `quarantine.jsonl`): the file's inode and the offset past the last complete line read. Another
 * process may append, replace or remove the file meanwhile; each look asks only what is new.
 */
export interface FollowedFile {
  /**
   * What is new since the last read; null when the file is not there (nothing is known from it).
   * A stat made at once: each `rollout/append` looks, and under load a trip through the thread
   * pool waits a turn of the event loop.
   */
  readonly unread: () => Unread | null;
  /** Read up to `end` (past a complete line). */
  readonly readTo: (end: number) => void;
  /** The file is now `inode`, read to `size` (this process wrote it); `inode` undefined: read it again from the start. */
  readonly at: (inode: number | undefined, size: number) => void;
}

export const followFile = (path: string): FollowedFile => {
  let readTo = 0;
  let inode: number | undefined;
  return {
    unread: () => {
      const st = fsSync.statSync(path, { throwIfNoEntry: false });
      if (st === undefined) {
        readTo = 0;
        inode = undefined;
        return null;
      }
      const restarted = st.ino !== inode || st.size < readTo;
      if (restarted) {
        readTo = 0;
        inode = st.ino;
      }
      return { from: readTo, size: st.size, restarted };
    },
    readTo: (end) => {
      readTo = end;
    },
    at: (ino, size) => {
      inode = ino;
      readTo = size;
    },
  };
};
