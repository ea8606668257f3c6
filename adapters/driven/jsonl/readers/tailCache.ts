import type { LogPosition } from '../../../../domain/errors.js';

/** What this process last saw at the end of a file, keyed by path and pinned to the inode. */
export interface TailState {
  readonly dev: number;
  readonly ino: number;
  /** File size when recorded; equal to `end.byteOffset` (the file ended with "\n"). */
  readonly size: number;
  readonly end: LogPosition;
  /** `ordinal` field of the last line (paginated files), if known. */
  readonly lastOrdinal: number | undefined;
}

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
}

/**
 * In-process memory of file tails so neither `end` nor an `any` append rescans a whole file:
 * an exact hit (same inode and size) is trusted as the current end; otherwise the remembered
 * position is a checkpoint to count forward from (the counter re-checks it is a line start).
 * Purely an optimisation: forgetting everything is always correct.
 */
export interface TailCache {
  /** The remembered tail if the file is still exactly as recorded. */
  readonly exact: (path: string, id: FileIdentity) => TailState | undefined;
  /** A remembered position of the same inode at or before `id.size`, to scan forward from. */
  readonly checkpoint: (path: string, id: FileIdentity) => LogPosition | undefined;
  readonly remember: (path: string, state: TailState) => void;
  readonly forget: (path: string) => void;
}

export const createTailCache = (maxEntries = 10_000): TailCache => {
  const entries = new Map<string, TailState>();
  const sameFile = (s: TailState, id: FileIdentity) => s.dev === id.dev && s.ino === id.ino;
  return {
    exact: (path, id) => {
      const s = entries.get(path);
      return s !== undefined && sameFile(s, id) && s.size === id.size ? s : undefined;
    },
    checkpoint: (path, id) => {
      const s = entries.get(path);
      return s !== undefined && sameFile(s, id) && s.end.byteOffset <= id.size ? s.end : undefined;
    },
    remember: (path, state) => {
      entries.delete(path); // re-insert so Map order is recency order
      entries.set(path, state);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
    },
    forget: (path) => {
      entries.delete(path);
    },
  };
};
