import type { RolloutFile } from '../rollout/rolloutFile.js';

// A rollout file's checkpoint in the index (table `files`: rows.ts `IndexTables`).

/**
 * Checkpoint of one rollout file (key: path). Advanced in the same transaction as its rows. A
 * `RolloutFile` as stored: every listed file has one, so its ids may be unknown, and an absent
 * revision is stored as null.
 */
export interface FileCheckpoint extends Pick<RolloutFile, 'path' | 'archived' | 'fileTimestamp'> {
  /** Null when the first line could not be read as a session_meta (see `error`). */
  readonly rolloutId: string | null;
  readonly threadId: string | null;
  /** From the file name, for a revision file. */
  readonly revisionId: string | null;
  /** Byte offset just past the last indexed complete line. */
  readonly byteOffset: number;
  /** Number of lines indexed (next line index). */
  readonly line: number;
  /** File size seen by the run that wrote this checkpoint. */
  readonly size: number;
  /** sha256 (hex) of the first `headLen` bytes (`headLen` = min(4 KiB, size)). */
  readonly headHash: string;
  readonly headLen: number;
  /**
   * sha256 (hex) of the `tailLen` bytes just before `byteOffset` (at most 4 KiB): a file that grew
   * is only caught up from the checkpoint if the bytes it ends on are still there.
   */
  readonly tailHash: string;
  readonly tailLen: number;
  /** mtime / ctime (ms) seen with `size`: a same-size rewrite past the head changes them. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Pre-envelope format the file is upcast from (early Codex), null for a modern rollout. */
  readonly upcastFrom: 'envelopeLess' | 'recordTyped' | null;
  /** Set when another file claiming the same rollout id won: this file has no rows. */
  readonly duplicateOf: string | null;
  readonly error: string | null;
}

/** Does the file hold rows (its rollout id's winner, readable)? Thread rows are derived from these files only. */
export const holdsRows = (
  cp: FileCheckpoint,
): cp is FileCheckpoint & { readonly rolloutId: string; readonly threadId: string } =>
  cp.rolloutId !== null && cp.threadId !== null && cp.duplicateOf === null && cp.error === null;
