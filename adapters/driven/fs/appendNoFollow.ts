import * as fsSync from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { invalidArgument } from '../../../domain/errors.js';
import { openNoFollow } from './noFollow.js';
import type { CrashPointName } from '../system/crashPoint.js';
import { crashPoint, crashPointCutShort } from '../system/crashPoint.js';

/**
 * The engine's one rule for appending to its files (rollouts, `session_index.jsonl`, the
 * thread-state log, the replica's copies, the append keys): never through a link or a second hard
 * link, one write all or nothing, a fragment a killed writer left ended first, crash points at each
 * step. Apart from `noFollow.ts`, which opens the file, because this is what is done with it once open.
 */

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
export const appendAllOrNothing = async (
  fh: FileHandle,
  bytes: Uint8Array,
  sizeBefore: number,
  cutShortAt?: CrashPointName,
): Promise<void> => {
  if (cutShortAt !== undefined)
    await crashPointCutShort(cutShortAt, bytes, (length) => fh.write(bytes, 0, length, null));
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
    if (st.size !== seen.size || st.mtimeMs !== seen.mtimeMs)
      seen = { size: st.size, mtimeMs: st.mtimeMs, since: Date.now() };
    const now = Date.now();
    if (now - st.mtimeMs >= stillMs || now - seen.since >= stillMs) return true;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, stillMs)));
  }
};

/** An append's crash points (`adapters/driven/system/crashPoint.ts`): nothing written yet, the write cut short, fsynced. */
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
    const ended =
      partialLastLine !== undefined && (await endsInStillFragment(fh, partialLastLine.stillMs))
        ? Buffer.concat([Buffer.from('\n'), bytes])
        : bytes;
    if (crashPoints !== undefined) crashPoint(crashPoints.before);
    await appendAllOrNothing(fh, ended, (await fh.stat()).size, crashPoints?.partial);
    if (durable) await fh.datasync();
    if (crashPoints !== undefined) crashPoint(crashPoints.synced);
  } finally {
    await fh.close();
  }
};
