import * as fs from 'node:fs/promises';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt, invalidArgument } from '../../domain/errors.js';
import { toEngineError } from './toEngineError.js';

const checkRange = (byteOffset: number, byteLength: number): EngineError | undefined => {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) return invalidArgument('byteOffset', `must be a non-negative integer, got ${byteOffset}`);
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) return invalidArgument('byteLength', `must be a non-negative integer, got ${byteLength}`);
  return undefined;
};

/** One positioned read on an open file, decoded as strict UTF-8. */
const readAt = async (fh: fs.FileHandle, path: string, byteOffset: number, byteLength: number): Promise<string> => {
  const buf = Buffer.allocUnsafe(byteLength);
  // One pread in practice; the loop only guards the short reads POSIX allows.
  let got = 0;
  while (got < byteLength) {
    const { bytesRead } = await fh.read(buf, got, byteLength - got, byteOffset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < byteLength) throw corrupt(path, byteOffset, `range of ${byteLength} bytes runs past the end of the file (got ${got})`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch (e) {
    throw corrupt(path, byteOffset, `range of ${byteLength} bytes is not valid UTF-8: ${(e as Error).message}`);
  }
};

/**
 * Exactly the given byte ranges of one file, as text, in order: one open and one pread per range,
 * the way the index serves a page without touching the rest of the file. A short read or invalid
 * UTF-8 means the index points at bytes that are not what it recorded: Corrupt.
 */
export const readRanges = (path: string, ranges: ReadonlyArray<readonly [number, number]>): TE.TaskEither<EngineError, string[]> => {
  for (const [o, l] of ranges) {
    const bad = checkRange(o, l);
    if (bad) return TE.left(bad);
  }
  return TE.tryCatch(
    async () => {
      const fh = await fs.open(path, 'r');
      try {
        const out: string[] = [];
        for (const [o, l] of ranges) out.push(await readAt(fh, path, o, l));
        return out;
      } finally {
        await fh.close();
      }
    },
    toEngineError(path, 'readRange'),
  );
};

/** Exactly `byteLength` bytes at `byteOffset`, as text (see `readRanges`). */
export const readRange = (path: string, byteOffset: number, byteLength: number): TE.TaskEither<EngineError, string> =>
  TE.map((texts: string[]) => texts[0]!)(readRanges(path, [[byteOffset, byteLength]]));
