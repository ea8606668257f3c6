import * as fs from 'node:fs';
import { openToReadSync } from '../../fs/heldRead.js';
import type { LogPosition } from '../../../../domain/errors.js';
import { corrupt } from '../../../../domain/errors.js';
import type { EngineError } from '../../../../domain/errors.js';

/**
 * `into` filled from `position` of an open file, or as much of it as the file holds: the bytes read.
 * One pread in practice; the loop only guards the short reads POSIX allows.
 */
export const readAtMost = (fd: number, into: Buffer, position: number): number => {
  let got = 0;
  while (got < into.length) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
};

/**
 * One physical line as bytes. `bytes` excludes the "\n" (and a leading BOM on line 0); it may be
 * a view into a read buffer that is reused, so it is valid only until the scanner is resumed.
 */
export interface ScannedLine {
  readonly ordinal: number;
  readonly byteOffset: number;
  readonly bytes: Buffer;
  /** A last line without "\n" in a file not known to be complete: an append may be in flight. */
  readonly torn: boolean;
}

export interface ScanOptions {
  /** Bytes per read call. Big by default: a rollout line is often tens of KiB. */
  readonly chunkSize?: number;
  /** A last line without "\n" is a line (the file is finished), not a torn tail. */
  readonly knownComplete?: boolean;
  /** Expected file size: buffers are sized to what is left to read (small files, small buffers). */
  readonly sizeHint?: number;
  /** Where read buffers come from and go back to (a scan of many files reuses them). */
  readonly buffers?: BufferPool;
  /**
   * Read with blocking calls, not on the thread pool: for a thread that has nothing else to do
   * meanwhile (a reader thread). A read from the page cache is a copy; its round trip through
   * the pool cost more than the copy.
   */
  readonly blockingReads?: boolean;
  /** The home the file was listed in: no folder below it is followed as a link (`openToReadSync`). */
  readonly root?: string;
}

/** Read buffers of one size, reused: allocating two per file would churn the GC on many small files. */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(readonly size: number = DEFAULT_CHUNK_SIZE) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(b: Buffer): void {
    if (b.length === this.size && this.free.length < 8) this.free.push(b);
  }
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;
/** Slack over a size hint (a file may have grown since it was measured). */
const MIN_CHUNK = 64 * 1024;

const NL = 0x0a;
/**
 * A line longer than this is not assembled from copies of its chunks (the copies and the joined
 * line held twice its bytes: 400 MB for a 200 MB line): its end is found first, then it is read
 * once, whole, into a buffer of its size.
 */
const LONG_LINE_BYTES = 8 * 1024 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const START: LogPosition = { ordinal: 0, byteOffset: 0 };

/** The scan could not start where asked (a stale checkpoint of a replaced or truncated file). */
export class ScanStartError extends Error {
  constructor(readonly error: EngineError) {
    super(error._tag);
  }
}

/**
 * Stream a file's lines as bytes from `from` (a line start), one array per read chunk. The next
 * chunk is read while the caller works on the current one (two buffers, at most one read in
 * flight), so IO overlaps decoding. A line longer than a chunk is assembled from copies (past
 * LONG_LINE_BYTES, read whole once its end is found). Offsets
 * are exact whatever the content. OS errors are thrown; the return value is the position past the
 * last complete line.
 * long: one loop over the file's buffer: the line cuts, the carried partial line and the position share its state
 */
export async function* scanLines(
  path: string,
  from: LogPosition = START,
  options: ScanOptions = {},
): AsyncGenerator<ScannedLine[], LogPosition, undefined> {
  const pool = options.buffers;
  const left =
    options.sizeHint === undefined ? Number.POSITIVE_INFINITY : options.sizeHint - from.byteOffset + MIN_CHUNK;
  const chunkSize = pool ? pool.size : Math.max(1, Math.min(options.chunkSize ?? DEFAULT_CHUNK_SIZE, left));
  // A plain descriptor: FileHandle's promise machinery costs more than the reads of a small file.
  const fd = openToReadSync(path, options.root);
  let ordinal = from.ordinal;
  let lineStart = from.byteOffset;
  let pending: Promise<{ bytesRead: number }> | undefined;
  const read = options.blockingReads === true ? readAtNow : readAt;
  const buffers: Buffer[] = [];
  try {
    const startError = checkLineStart(fd, path, from.byteOffset);
    if (startError !== undefined) throw new ScanStartError(startError);
    buffers.push(
      pool ? pool.take() : Buffer.allocUnsafe(chunkSize),
      pool ? pool.take() : Buffer.allocUnsafe(chunkSize),
    );
    let which = 0;
    let readPos = from.byteOffset;
    pending = read(fd, buffers[which]!, chunkSize, readPos);
    // Bytes of the current line carried over from earlier chunks (copied: buffers are reused).
    let carried: Buffer[] = [];
    let carriedBytes = 0;
    // Past LONG_LINE_BYTES nothing more is carried: the line is read whole once its end is known.
    let long = false;
    /** The current line's bytes up to `end` (a file offset), read at once. */
    const wholeLine = (end: number): Buffer => {
      const bytes = Buffer.allocUnsafe(end - lineStart);
      if (readAtMost(fd, bytes, lineStart) < bytes.length)
        throw new Error(`${path} shrank while its line at byte ${lineStart} was read`);
      return bytes;
    };

    const lineOf = (bytes: Buffer, torn: boolean): ScannedLine => {
      let body = bytes;
      let start = lineStart;
      if (start === 0 && body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
        // A BOM is tolerated on the first line; the line's range starts after it.
        body = body.subarray(3);
        start = 3;
      }
      return { ordinal, byteOffset: start, bytes: body, torn };
    };

    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const view = buffers[which]!.subarray(0, bytesRead);
      const viewAt = readPos;
      readPos += bytesRead;
      which ^= 1;
      // Read ahead into the other buffer: the caller is done with its lines (it resumed us).
      pending = read(fd, buffers[which]!, chunkSize, readPos);
      const out: ScannedLine[] = [];
      let i = 0;
      for (;;) {
        const nl = view.indexOf(NL, i);
        if (nl < 0) break;
        const piece = view.subarray(i, nl);
        const bytes = long ? wholeLine(viewAt + nl) : carried.length === 0 ? piece : Buffer.concat([...carried, piece]);
        carried = [];
        carriedBytes = 0;
        long = false;
        out.push(lineOf(bytes, false));
        lineStart += bytes.length + 1;
        ordinal += 1;
        i = nl + 1;
      }
      if (i < bytesRead && !long) {
        carried.push(Buffer.from(view.subarray(i)));
        carriedBytes += bytesRead - i;
        if (carriedBytes > LONG_LINE_BYTES) {
          long = true;
          carried = [];
        }
      }
      if (out.length > 0) yield out;
    }
    if (carried.length > 0 || long) {
      const bytes = long ? wholeLine(readPos) : Buffer.concat(carried);
      if (lineStart === 0 && bytes.equals(BOM)) {
        // A file holding only a BOM has no lines yet; it is not a torn line.
      } else if (options.knownComplete === true) {
        const line = lineOf(bytes, false);
        lineStart += bytes.length; // no "\n" to step over: the file ends here
        ordinal += 1;
        yield [line];
      } else {
        yield [lineOf(bytes, true)];
      }
    }
    return { ordinal, byteOffset: lineStart };
  } finally {
    // A caller that stops early leaves a read in flight: let it land before closing the file.
    await pending?.catch(() => undefined);
    fs.closeSync(fd);
    if (pool) for (const b of buffers) pool.give(b);
  }
}

/**
 * A read may only start at a line start: offset 0 or just after a "\n". Catches stale
 * checkpoints of a file that was replaced or truncated, instead of decoding mid-line garbage.
 */
export const checkLineStart = (fd: number, path: string, byteOffset: number): EngineError | undefined => {
  if (byteOffset === 0) return undefined;
  const size = fs.fstatSync(fd).size;
  if (byteOffset > size) return corrupt(path, byteOffset, `read position is past the end of the file (${size} bytes)`);
  const one = Buffer.alloc(1);
  fs.readSync(fd, one, 0, 1, byteOffset - 1);
  return one[0] === NL ? undefined : corrupt(path, byteOffset, 'read position is not at a line start');
};

/** One blocking read, as a settled promise (errors as rejections, like `readAt`). */
const readAtNow = (fd: number, buf: Buffer, len: number, position: number): Promise<{ bytesRead: number }> => {
  try {
    return Promise.resolve({ bytesRead: fs.readSync(fd, buf, 0, len, position) });
  } catch (err) {
    return Promise.reject(err);
  }
};

/** One read on the thread pool (the next chunk, while this one is worked on). */
const readAt = (fd: number, buf: Buffer, len: number, position: number): Promise<{ bytesRead: number }> =>
  new Promise((resolve, reject) =>
    fs.read(fd, buf, 0, len, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead }))),
  );
