import type * as fs from 'node:fs/promises';
import { openToRead } from '../../fs/heldRead.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import { errnoCode, toEngineError } from '../../fs/fsError.js';

const NL = 0x0a;
const BACKWARD_FIRST_CHUNK = 4 * 1024;
const BACKWARD_MAX_CHUNK = 1 << 20;
const FORWARD_CHUNK = 1 << 20;

/**
 * The position just past the last complete line of a file (`noStream` if it does not exist).
 * The byte end comes from a backward scan for the last "\n" (a torn tail is not counted); the
 * line count from a forward newline count starting at `known` when it is a valid line start at or
 * before that end, else from the file start. So with a checkpoint only the new tail is scanned.
 * The ordinal of `known` is trusted, as the caller's own earlier reading of this file.
 */
export const endFrom = (path: string, known?: LogPosition): TE.TaskEither<EngineError, LogPosition | 'noStream'> =>
  TE.tryCatch(
    async () => {
      let fh: fs.FileHandle;
      try {
        fh = await openToRead(path);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return 'noStream' as const;
        throw err;
      }
      try {
        return await endOfOpenFile(fh, (await fh.stat()).size, known);
      } finally {
        await fh.close();
      }
    },
    toEngineError(path, 'end'),
  );

/** `endFrom` without a checkpoint: a full forward count (the backward scan still bounds it). */
export const end = (path: string): TE.TaskEither<EngineError, LogPosition | 'noStream'> => endFrom(path);

/** Shared with the writer, which calls it under its lock on an fd it already holds. */
export const endOfOpenFile = async (fh: fs.FileHandle, size: number, known?: LogPosition): Promise<LogPosition> => {
  const endByte = (await lastNewlineBefore(fh, size)) + 1;
  const base = known !== undefined && (await isLineStartWithin(fh, known.byteOffset, endByte)) ? known : undefined;
  const from = base ?? { ordinal: 0, byteOffset: 0 };
  const lines = await countNewlines(fh, from.byteOffset, endByte);
  return { ordinal: from.ordinal + lines, byteOffset: endByte };
};

/**
 * Offset of the last "\n" in [0, size), or -1. Reads backwards from 4 KiB (most lines are
 * shorter) doubling to 1 MiB, so a short last line costs one small pread and a huge one few.
 */
export const lastNewlineBefore = async (fh: fs.FileHandle, size: number): Promise<number> => {
  let step = BACKWARD_FIRST_CHUNK;
  let buf = Buffer.allocUnsafe(Math.min(step, Math.max(size, 1)));
  let hi = size;
  while (hi > 0) {
    const lo = Math.max(0, hi - step);
    if (buf.length < hi - lo) buf = Buffer.allocUnsafe(hi - lo);
    const { bytesRead } = await fh.read(buf, 0, hi - lo, lo);
    const at = buf.subarray(0, bytesRead).lastIndexOf(NL);
    if (at >= 0) return lo + at;
    hi = lo;
    step = Math.min(step * 2, BACKWARD_MAX_CHUNK);
  }
  return -1;
};

const isLineStartWithin = async (fh: fs.FileHandle, byteOffset: number, endByte: number): Promise<boolean> => {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset > endByte) return false;
  if (byteOffset === 0) return true;
  const one = Buffer.alloc(1);
  await fh.read(one, 0, 1, byteOffset - 1);
  return one[0] === NL;
};

/** Number of "\n" in [from, to): memchr-speed `indexOf` over 1 MiB reads. */
const countNewlines = async (fh: fs.FileHandle, from: number, to: number): Promise<number> => {
  if (to <= from) return 0;
  const buf = Buffer.allocUnsafe(Math.min(FORWARD_CHUNK, to - from));
  let count = 0;
  let pos = from;
  while (pos < to) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (bytesRead === 0) break;
    const view = buf.subarray(0, bytesRead);
    for (let i = view.indexOf(NL); i >= 0; i = view.indexOf(NL, i + 1)) count += 1;
    pos += bytesRead;
  }
  return count;
};
