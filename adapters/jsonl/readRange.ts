import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt, invalidArgument } from '../../domain/errors.js';
import { toEngineError } from './toEngineError.js';
import { BufferPool } from './lineScanner.js';

const checkRange = (byteOffset: number, byteLength: number): EngineError | undefined => {
  if (!Number.isSafeInteger(byteOffset) || byteOffset < 0) return invalidArgument('byteOffset', `must be a non-negative integer, got ${byteOffset}`);
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) return invalidArgument('byteLength', `must be a non-negative integer, got ${byteLength}`);
  return undefined;
};

/**
 * Ranges closer than this are read with the bytes between them: one pread of a little more beats
 * two syscalls (a real rollout's items are lines a few KiB apart, among the model-context lines).
 */
const JOIN_GAP = 64 * 1024;
/** No span read is longer than this (unless one range is): a whole-thread read stays in bounded memory. */
const MAX_SPAN = 4 << 20;

/** Consecutive ranges (in file order) read with one pread: `first`..`last` index into the sorted order. */
interface Span {
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly first: number;
  readonly last: number;
}

/** Ranges sorted by offset, grouped into spans of at most MAX_SPAN bytes with gaps under JOIN_GAP. */
const spansOf = (ranges: ReadonlyArray<readonly [number, number]>, order: ReadonlyArray<number>): Span[] => {
  const spans: Span[] = [];
  let start = 0;
  while (start < order.length) {
    const [o] = ranges[order[start]!]!;
    let end = o + ranges[order[start]!]![1];
    let last = start;
    while (last + 1 < order.length) {
      const [no, nl] = ranges[order[last + 1]!]!;
      const nend = Math.max(end, no + nl);
      if (no - end > JOIN_GAP || nend - o > MAX_SPAN) break;
      end = nend;
      last += 1;
    }
    spans.push({ byteOffset: o, byteLength: end - o, first: start, last });
    start = last + 1;
  }
  return spans;
};

/**
 * Span buffers, reused: a whole-thread read goes through the whole file, and as many fresh buffers
 * (outside the JS heap) would make V8 collect for their external memory again and again.
 */
const spanBuffers = new BufferPool(MAX_SPAN);

/** `byteLength` bytes at `byteOffset` into `buf` (fewer at the end of the file): one pread in practice; the loop only guards the short reads POSIX allows. */
const readSpan = (fd: number, buf: Buffer, byteOffset: number, byteLength: number): Buffer => {
  let got = 0;
  while (got < byteLength) {
    const bytesRead = fs.readSync(fd, buf, got, byteLength - got, byteOffset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
};

/**
 * Exactly the given byte ranges of one file, as strict UTF-8 text, in the order given: one open,
 * the ranges read in file order, those a few KiB apart with one pread of their span (a page's
 * items, or a whole thread's, cost a few sequential reads rather than one syscall each). The
 * reads block: a rollout being read is in the page cache, where a read is a copy and a round trip
 * through the thread pool cost more than the copy (under load, a whole-thread read spent a third
 * of its time waiting for the pool). A short read or invalid UTF-8 means the index points at bytes
 * that are not what it recorded: Corrupt.
 */
export const readRanges = (path: string, ranges: ReadonlyArray<readonly [number, number]>): TE.TaskEither<EngineError, string[]> => {
  for (const [o, l] of ranges) {
    const bad = checkRange(o, l);
    if (bad) return TE.left(bad);
  }
  return TE.tryCatch(
    async () => {
      const order = ranges.map((_, i) => i).sort((a, b) => ranges[a]![0] - ranges[b]![0]);
      const out: string[] = new Array<string>(ranges.length);
      const fd = fs.openSync(path, 'r');
      let buf: Buffer | undefined;
      try {
        for (const span of spansOf(ranges, order)) {
          const bytes = readSpan(fd, span.byteLength <= MAX_SPAN ? (buf ??= spanBuffers.take()) : Buffer.allocUnsafe(span.byteLength), span.byteOffset, span.byteLength);
          for (let k = span.first; k <= span.last; k++) {
            const i = order[k]!;
            const [o, l] = ranges[i]!;
            const from = o - span.byteOffset;
            if (from + l > bytes.length) throw corrupt(path, o, `range of ${l} bytes runs past the end of the file (got ${Math.max(0, bytes.length - from)})`);
            const piece = bytes.subarray(from, from + l);
            if (!isUtf8(piece)) throw corrupt(path, o, `range of ${l} bytes is not valid UTF-8`);
            out[i] = piece.toString('utf8');
          }
        }
        return out;
      } finally {
        if (buf) spanBuffers.give(buf);
        fs.closeSync(fd);
      }
    },
    toEngineError(path, 'readRange'),
  );
};

/** Exactly `byteLength` bytes at `byteOffset`, as text (see `readRanges`). */
export const readRange = (path: string, byteOffset: number, byteLength: number): TE.TaskEither<EngineError, string> =>
  TE.map((texts: string[]) => texts[0]!)(readRanges(path, [[byteOffset, byteLength]]));
