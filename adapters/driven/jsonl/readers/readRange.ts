import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import { corrupt, invalidArgument } from '../../../../domain/errors.js';
import { toEngineError } from '../../fs/fsError.js';
import { BufferPool, readAtMost } from '../lines/lineScanner.js';
import { readKept } from '../../fs/keptReads.js';
import { holdPoint, holdsAtSomePoint } from '../../system/holdPoint.js';

const checkRange = (byteOffset: number, byteLength: number): EngineError | undefined => {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0)
    return invalidArgument('byteOffset', `must be a non-negative integer, got ${byteOffset}`);
  if (!Number.isSafeInteger(byteLength) || byteLength < 0)
    return invalidArgument('byteLength', `must be a non-negative integer, got ${byteLength}`);
  return undefined;
};

/**
 * Ranges closer than this are read as one span, the bytes between them read and dropped: a page's
 * items are lines a few hundred bytes apart, and a syscall costs more than copying a few KiB.
 */
const SPAN_GAP = 16 * 1024;
/** A span is never grown past this by joining (one range alone may be longer). */
const SPAN_MAX = 1024 * 1024;

/** Consecutive ranges (in file order) read together: [start, end) and the indexes of its ranges. */
interface Span {
  readonly start: number;
  end: number;
  readonly members: number[];
}

/** The ranges grouped into spans: ranges in ascending order whose gaps are small share one read. */
export const spansOf = (ranges: ReadonlyArray<readonly [number, number]>): Span[] => {
  const spans: Span[] = [];
  let last: Span | undefined;
  ranges.forEach(([o, l], i) => {
    const end = o + l;
    if (
      last !== undefined &&
      o >= last.start &&
      o <= last.end + SPAN_GAP &&
      Math.max(end, last.end) - last.start <= SPAN_MAX
    ) {
      last.end = Math.max(last.end, end);
      last.members.push(i);
      return;
    }
    last = { start: o, end, members: [i] };
    spans.push(last);
  });
  return spans;
};

/**
 * Span buffers, reused: a whole-thread read (`thread/read` with its turns) goes through the whole
 * file span by span, and as many fresh buffers (outside the JS heap) make V8 collect for their
 * external memory again and again.
 */
const spanBuffers = new BufferPool(SPAN_MAX);

/** Exactly [start, end) of an open file, into `into` when given (large enough); Corrupt when the file ends before it. */
export const readSpan = (fd: number, path: string, start: number, end: number, into?: Buffer): Buffer => {
  const buf = into === undefined ? Buffer.allocUnsafe(end - start) : into.subarray(0, end - start);
  const got = readAtMost(fd, buf, start);
  if (got < buf.length)
    throw corrupt(path, start, `range of ${buf.length} bytes runs past the end of the file (got ${got})`);
  return buf;
};

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const text = (path: string, bytes: Buffer, byteOffset: number): string => {
  try {
    return UTF8.decode(bytes);
  } catch (e) {
    throw corrupt(path, byteOffset, `range of ${bytes.length} bytes is not valid UTF-8: ${(e as Error).message}`);
  }
};

/**
 * Exactly the given byte ranges of one file, as text, in order, the way the index serves a page
 * without touching the rest of the file: one pread per span of nearby ranges, the file kept open
 * for the next page (`readKept`). The calls
 * are synchronous: a page's reads are a few small reads of a file the OS has cached, cheaper done
 * directly than each through the thread pool. A short read or invalid UTF-8 means the index
 * points at bytes that are not what it recorded: Corrupt.
 */
export const readRanges = (
  path: string,
  ranges: ReadonlyArray<readonly [number, number]>,
  /** The home `path` lies in: no folder below it followed as a link. */
  root?: string,
): TE.TaskEither<EngineError, string[]> => {
  for (const [o, l] of ranges) {
    const bad = checkRange(o, l);
    if (bad) return TE.left(bad);
  }
  return TE.tryCatch(
    async () => {
      // Every range read of every answer passes here: no await unless a test holds somewhere.
      if (holdsAtSomePoint) await holdPoint('rollout.ranges.reading');
      return readKept(path, root, (fd) => {
        let pooled: Buffer | undefined;
        try {
          const out: string[] = new Array<string>(ranges.length);
          for (const span of spansOf(ranges)) {
            const bytes = readSpan(
              fd,
              path,
              span.start,
              span.end,
              span.end - span.start <= SPAN_MAX ? (pooled ??= spanBuffers.take()) : undefined,
            );
            for (const i of span.members) {
              const [o, l] = ranges[i]!;
              out[i] = text(path, bytes.subarray(o - span.start, o - span.start + l), o);
            }
          }
          return out;
        } finally {
          if (pooled !== undefined) spanBuffers.give(pooled);
        }
      });
    },
    toEngineError(path, 'readRange'),
  );
};

/** Exactly `byteLength` bytes at `byteOffset`, as text (see `readRanges`). */
export const readRange = (path: string, byteOffset: number, byteLength: number): TE.TaskEither<EngineError, string> =>
  TE.map((texts: string[]) => texts[0]!)(readRanges(path, [[byteOffset, byteLength]]));
