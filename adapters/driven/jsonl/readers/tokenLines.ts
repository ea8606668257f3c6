import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { LogPosition } from '../../../../domain/errors.js';
import type { LineIn } from '../../../../projections/runner.js';
import { tokenLineVerdictAt } from '../../../../projections/linePrefix.js';
import { elideLineBytes } from '../../../../projections/elideLineBytes.js';
import { tokenLineFields } from '../../../../projections/tokenLineFields.js';
import { MAX_LINE_BYTES } from '../lines/lineEntry.js';
import { ScanStartError, checkLineStart } from '../lines/lineScanner.js';
import { openToReadSync } from '../../fs/heldRead.js';
import { HEAD_BYTES as TAIL_BYTES } from '../../lmdb/schema.js';
import { sha256 } from './probe.js';

/**
 * The lines of a rollout file that the token fold reads (`tokenLineVerdictAt`), from a line
 * start, read in place on this thread into one reused buffer: a line of another kind (most lines,
 * nearly all the bytes) costs a look at its first bytes and a scan for its "\n", and no object.
 * The lines given are those `tailLines` would give the token projection with the same positions
 * (line numbers count every line); lines it would quarantine (invalid UTF-8, empty, over
 * MAX_LINE_BYTES) the token projection never folds, so they are left out here. A last line
 * without "\n" ends the tail (an append in flight), as there. Memory: the buffer, grown only to
 * hold a needed line longer than it; a longer skipped line is passed over chunk by chunk.
 */

const NL = 0x0a;
/** One file's checkpoint bytes at a time (hashed at once): no buffer a file. */
const TAIL_SCRATCH = Buffer.allocUnsafe(TAIL_BYTES);
const INITIAL_BUFFER_BYTES = 1 << 20;
/** A buffer grown past this for one long line is not kept for the next file. */
const KEEP_BUFFER_BYTES = 8 << 20;

/** The buffer the files of one catch-up are read into, one file after another. */
export class TokenLineBuffer {
  bytes: Buffer;
  constructor(private readonly initialBytes: number = INITIAL_BUFFER_BYTES) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }
  /** Back to its usual size after a file that needed a long line. */
  shrink(): void {
    if (this.bytes.length > Math.max(KEEP_BUFFER_BYTES, this.initialBytes))
      this.bytes = Buffer.allocUnsafe(this.initialBytes);
  }
}

/** What a checkpoint at a position holds of the bytes before it (at most TAIL_BYTES): their hash and count. */
export interface TailBytes {
  readonly tailHash: string;
  readonly tailLen: number;
}

/** One file's tail as the lean token pass takes it (indexer/tokens/indexTokenFiles.ts). */
export interface TokenTail {
  /** The position after the last line read (where the next read starts). */
  readonly end: LogPosition;
  /** Give `take` the lines of the next read the fold reads; false at the end. Errors are thrown (a start off a line start as ScanStartError). */
  next(take: (line: LineIn) => void): boolean;
  /** The checkpoint bytes before `end` (the position after the last read). */
  tailAt(end: LogPosition): TailBytes;
  close(): void;
}

/** One file's tail from `from`; OS errors are thrown (a start off a line start as ScanStartError). Close it. */
export class TokenLines implements TokenTail {
  private readonly fd: number;
  /** File offset of the buffer's first byte, and how many bytes of it are read. */
  private at: number;
  private filled = 0;
  private lineStart: number;
  private ordinal: number;
  private ended = false;
  /** The buffer holds bytes read after a passed-over long line, not yet looked at. */
  private unscanned = false;

  constructor(
    private readonly path: string,
    from: LogPosition,
    private readonly buffer: TokenLineBuffer,
    /** false: every line is given as its text (the bench's floor parses them all, as a reader without tokenLineFields would). */
    private readonly readsFields = true,
    /** The home the file was listed in (`ScanOptions.root`). */
    root?: string,
  ) {
    this.fd = openToReadSync(path, root);
    try {
      const startError = checkLineStart(this.fd, path, from.byteOffset);
      if (startError !== undefined) throw new ScanStartError(startError);
    } catch (err) {
      fs.closeSync(this.fd);
      throw err;
    }
    this.at = from.byteOffset;
    this.lineStart = from.byteOffset;
    this.ordinal = from.ordinal;
  }

  get end(): LogPosition {
    return { ordinal: this.ordinal, byteOffset: this.lineStart };
  }

  tailAt(end: LogPosition): TailBytes {
    const bytes = this.tailBefore(end);
    return { tailHash: sha256(bytes), tailLen: bytes.length };
  }

  /**
   * Give `take` the lines of the next read the fold reads (at most a buffer of bytes, or one long
   * line), each as it is found (its text dies with its fold, not with the read); false at the end.
   */
  next(take: (line: LineIn) => void): boolean {
    if (this.ended) return false;
    let buf = this.buffer.bytes;
    // The line begun in the last read moves to the buffer's start.
    const kept = this.filled - (this.lineStart - this.at);
    if (kept > 0 && this.lineStart > this.at) buf.copyWithin(0, this.lineStart - this.at, this.filled);
    this.at = this.lineStart;
    this.filled = kept;
    if (this.filled === buf.length) {
      // A line at least a buffer long: read in a larger buffer if the fold reads it, else passed over.
      const kind = tokenLineVerdictAt(buf, 0, this.filled);
      if (kind === 'skipped' || this.filled > MAX_LINE_BYTES) return this.passLongLine();
      const grown = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(grown, 0, 0, this.filled);
      this.buffer.bytes = grown;
      buf = grown;
    }
    if (this.unscanned) this.unscanned = false;
    else {
      const n = fs.readSync(this.fd, buf, this.filled, buf.length - this.filled, this.at + this.filled);
      if (n === 0) {
        this.ended = true;
        return false;
      }
      this.filled += n;
    }
    let i = 0;
    for (;;) {
      const nl = buf.indexOf(NL, i);
      if (nl < 0 || nl >= this.filled) break;
      // A BOM is tolerated on the first line; the line's range starts after it.
      const s = this.at + i === 0 && nl >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : i;
      if (nl > s) {
        const kind = tokenLineVerdictAt(buf, s, nl);
        if (kind !== 'skipped') {
          const l = this.lineIn(buf, s, nl, kind === 'read');
          if (l !== undefined) take(l);
        }
      }
      this.ordinal += 1;
      this.lineStart = this.at + nl + 1;
      i = nl + 1;
    }
    return true;
  }

  /** A line the token fold reads as `tailLines` gives it; undefined for one it would quarantine. */
  private lineIn(buf: Buffer, s: number, e: number, prefixRead: boolean): LineIn | undefined {
    const byteLength = e - s;
    if (byteLength > MAX_LINE_BYTES) return undefined;
    const byteOffset = this.at + s;
    const bytes = buf.subarray(s, e);
    // Most lines the fold reads are in Codex's layout: their few fields read in place, no text and no parse.
    if (prefixRead && this.readsFields && isUtf8(bytes)) {
      const fields = tokenLineFields(buf, s, e);
      if (fields !== undefined) return { line: this.ordinal, byteOffset, byteLength, text: null, fields };
    }
    const elided = elideLineBytes(bytes);
    if (elided !== undefined)
      return prefixRead
        ? { line: this.ordinal, byteOffset, byteLength, text: elided, elided: true, prefixRead: true }
        : { line: this.ordinal, byteOffset, byteLength, text: elided, elided: true };
    if (!isUtf8(bytes)) return undefined;
    const text = buf.toString('utf8', s, e);
    return prefixRead
      ? { line: this.ordinal, byteOffset, byteLength, text, prefixRead: true }
      : { line: this.ordinal, byteOffset, byteLength, text };
  }

  /** Pass over a line longer than the buffer that the fold does not read: read on to its "\n". */
  private passLongLine(): boolean {
    const buf = this.buffer.bytes;
    let pos = this.at + this.filled;
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, pos);
      if (n === 0) {
        this.ended = true; // torn: no "\n" yet
        return false;
      }
      const nl = buf.indexOf(NL);
      if (nl >= 0 && nl < n) {
        this.ordinal += 1;
        this.lineStart = pos + nl + 1;
        // What follows the line in this read is looked at next time.
        this.at = pos;
        this.filled = n;
        this.unscanned = true;
        return true;
      }
      pos += n;
    }
  }

  /** The file's bytes before `end` (at most TAIL_BYTES): what a checkpoint there hashes (a view of a scratch buffer, valid until the next call). */
  tailBefore(end: LogPosition): Buffer {
    const len = Math.min(TAIL_BYTES, end.byteOffset);
    let got = 0;
    while (got < len) {
      const n = fs.readSync(this.fd, TAIL_SCRATCH, got, len - got, end.byteOffset - len + got);
      if (n === 0) throw new Error(`${this.path} shrank while its checkpoint's bytes were read`);
      got += n;
    }
    return TAIL_SCRATCH.subarray(0, len);
  }

  close(): void {
    fs.closeSync(this.fd);
    this.buffer.shrink();
  }
}
