import { openToRead } from '../../fs/heldRead.js';
import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type { LogPosition } from '../../../../domain/errors.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';
import type { LineIn } from '../../../../projections/runner.js';
import { prefixVerdictOfBytes } from '../../../../projections/linePrefix.js';
import { closesAtEnd, elideLineBytes } from '../../../../projections/elideLineBytes.js';
import { scanLines } from '../lines/lineScanner.js';
import type { BufferPool, ScannedLine } from '../lines/lineScanner.js';
import { INVALID_UTF8, MAX_LINE_BYTES, entryOf, overSizeRecord } from '../lines/lineEntry.js';
import type { UpcastFormat, lineDecoderFor } from '../../../../migrations/upcast/lineDecoder.js';
import { HEAD_BYTES as TAIL_BYTES } from '../../lmdb/schema.js';
import { parseJson } from '../../../../domain/jsonNesting.js';

/**
 * Tail: the complete lines of a file from a checkpoint, as the runner takes them. Lines are
 * classified from their first bytes: a kind no projection reads is never decoded to a string nor
 * parsed (only checked to be UTF-8, as the reader would), so the large payloads (tool output,
 * model context, compaction history) cost a scan for "\n" and nothing more. A torn last line
 * ends the tail (an append in flight; caught up next time).
 */

export interface TailedLine {
  /** With `TailSource.textBytes`, a line to decode has its text here as bytes, and `line.text` is null. */
  readonly line: LineIn;
  /** The line's bytes (a view valid until the tail reads on) when the source asked for them (see `TailSource.textBytes`). */
  readonly textBytes?: Buffer;
  /** Set when the reader could not take the bytes as text at all (invalid UTF-8, empty line). */
  readonly quarantined?: QuarantineRecord;
}

export interface TailSource {
  readonly path: string;
  readonly from: LogPosition;
  readonly itemsFromResponses: boolean;
  /** Only the token projection reads the lines: every other kind is skipped by its prefix (`LazyOptions.tokensOnly`). */
  readonly tokensOnly?: boolean;
  /** Set for an early rollout: every line goes through the upcaster. */
  readonly upcast: UpcastFormat | null;
  readonly sizeHint?: number;
  readonly buffers?: BufferPool;
  /** See ScanOptions.blockingReads. */
  readonly blockingReads?: boolean;
  /**
   * A line to decode keeps its checked bytes (`TailedLine.textBytes`) instead of its text: the
   * reader thread copies them across as they are and the folding thread decodes each one, so no
   * text is made twice (decoded, joined, cloned): a heavy build's reader thread allocated a
   * third as much.
   */
  readonly textBytes?: boolean;
  /** The home the file was listed in (`ScanOptions.root`). */
  readonly root?: string;
}

const acceptText = (): E.Either<string, unknown> => E.right(undefined);

/** The lines of one read chunk, and the bytes they end on (for the checkpoint's tail hash). */
export interface TailedChunk {
  readonly lines: ReadonlyArray<TailedLine>;
  /** The file's last `min(TAIL_BYTES, end)` bytes before the position after these lines. */
  readonly tail: Buffer;
}

const NL = Buffer.from('\n');
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The bytes before the end of `lines` (at most `TAIL_BYTES`), from the lines themselves (views
 * valid only now) and the tail known before them: no extra read to hash a checkpoint's tail.
 */
const tailAfter = (lines: ReadonlyArray<ScannedLine>, before: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let len = 0;
  for (let i = lines.length - 1; i >= 0 && len < TAIL_BYTES; i--) {
    const l = lines[i]!;
    // Only the bytes kept: a 200 MB last line was joined whole to keep its last few KB.
    const room = TAIL_BYTES - len - 1;
    parts.push(NL, l.bytes.length > room ? l.bytes.subarray(l.bytes.length - room) : l.bytes);
    len += Math.min(l.bytes.length, room) + 1;
    // Bytes before the first line are a BOM (the line starts at 3) or the tail known before.
    if (i === 0 && l.byteOffset === 3 && l.ordinal === 0) {
      parts.push(BOM);
      len += 3;
    }
  }
  if (len < TAIL_BYTES && !(lines[0]?.ordinal === 0)) parts.push(before);
  const all = Buffer.concat(parts.reverse());
  return Buffer.from(all.subarray(Math.max(0, all.length - TAIL_BYTES)));
};

/**
 * Where a file's read ends: the position after its last line and, where the bytes after it (a
 * last line with no newline yet) are not UTF-8, their offset. Codex's `lines()` reads such bytes as
 * a last line and fails there (`RolloutRow.notUtf8`); they are no line of ours until a newline ends
 * them. An incomplete character at the very end is an append still under way, not a fault.
 */
export type TailEnd = LogPosition & { readonly notUtf8TailAt?: number };

/** Bytes that are not UTF-8, an incomplete character at their end (up to 3 bytes: an append under way) aside. */
const notUtf8Tail = (bytes: Buffer): boolean => {
  if (isUtf8(bytes)) return false;
  // The last lead byte within the last 4, and how many bytes its character takes.
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue;
    const needs = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return needs > back ? !isUtf8(bytes.subarray(0, bytes.length - back)) : true;
  }
  return true;
};

/** Stream a file's lines from `src.from`, one array per read chunk; OS errors are thrown. */
export async function* tailLines(src: TailSource): AsyncGenerator<TailedChunk, TailEnd, undefined> {
  // The upcaster (and the domain codecs it loads) only for an early rollout: the reader thread
  // of a catch-up of current rollouts never loads them.
  const decode =
    src.upcast === null
      ? undefined
      : (await import('../../../../migrations/upcast/lineDecoder.js')).lineDecoderFor(src.path, src.upcast);
  const opts = {
    itemsFromResponses: src.itemsFromResponses,
    tokensOnly: src.tokensOnly === true,
    textBytes: src.textBytes === true,
  };
  const scan = scanLines(src.path, src.from, {
    ...(src.sizeHint === undefined ? {} : { sizeHint: src.sizeHint }),
    ...(src.buffers ? { buffers: src.buffers } : {}),
    ...(src.blockingReads === true ? { blockingReads: true } : {}),
    ...(src.root === undefined ? {} : { root: src.root }),
  });
  let end = src.from;
  // A catch-up from a checkpoint starts with the bytes that checkpoint ends on.
  let tail = src.from.byteOffset === 0 ? Buffer.alloc(0) : await bytesBefore(src.path, src.from.byteOffset, src.root);
  let notUtf8TailAt: number | undefined;
  const ended = (at: LogPosition): TailEnd => (notUtf8TailAt === undefined ? at : { ...at, notUtf8TailAt });
  try {
    for (;;) {
      const r = await scan.next();
      if (r.done === true) return ended(r.value);
      const torn = r.value.find((l) => l.torn);
      if (torn !== undefined && notUtf8Tail(torn.bytes)) notUtf8TailAt = torn.byteOffset;
      const complete = torn === undefined ? r.value : r.value.filter((l) => !l.torn);
      if (complete.length === 0) return ended(end);
      const out = complete.map((l) => tailed(src.path, l, decode, opts));
      const last = complete[complete.length - 1]!;
      end = { ordinal: last.ordinal + 1, byteOffset: last.byteOffset + last.bytes.length + 1 };
      tail = tailAfter(complete, tail);
      yield { lines: out, tail };
    }
  } finally {
    await scan.return(end);
  }
}

/** The file's bytes just before `byteOffset` (at most TAIL_BYTES). */
const bytesBefore = async (path: string, byteOffset: number, root: string | undefined): Promise<Buffer> => {
  const len = Math.min(TAIL_BYTES, byteOffset);
  const fh = await openToRead(path, root);
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, byteOffset - len);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
};

/** A line the reader quarantined, marked where its bytes are not UTF-8 (Codex's loads fail on it: `LineIn.notUtf8`). */
const quarantinedLine = (
  l: ScannedLine,
  record: QuarantineRecord,
  notUtf8 = record.reason === INVALID_UTF8,
): TailedLine => {
  const at = { line: l.ordinal, byteOffset: l.byteOffset, byteLength: l.bytes.length, text: null };
  return { line: notUtf8 ? { ...at, notUtf8: true } : at, quarantined: record };
};

/** A line over `MAX_LINE_BYTES`, quarantined unread: Codex reads it whole, and fails on it where it is not UTF-8. */
const overSizeLine = (path: string, l: ScannedLine): TailedLine =>
  quarantinedLine(l, overSizeRecord(path, l), !isUtf8(l.bytes));

// Each line object is written out field by field: spreading a position into an object with more
// fields takes V8's slow path, a real share of a cold build of small lines.
const tailed = (
  path: string,
  l: ScannedLine,
  decode: ReturnType<typeof lineDecoderFor> | undefined,
  opts: { itemsFromResponses: boolean; tokensOnly: boolean; textBytes: boolean },
): TailedLine => {
  const line = l.ordinal;
  const byteOffset = l.byteOffset;
  const byteLength = l.bytes.length;
  let skippable = false;
  let read = false;
  if (decode === undefined && byteLength > 0) {
    const verdict = prefixVerdictOfBytes(l.bytes, opts);
    // A line cut short is not skipped: decoded in full below, it is quarantined with the reason.
    skippable = verdict.kind === 'skipped';
    read = verdict.kind === 'read';
    if (verdict.kind === 'skipped' && closesAtEnd(l.bytes)) {
      if (isUtf8(l.bytes)) return { line: { line, byteOffset, byteLength, text: null, lazy: verdict } };
      const text = l.bytes.toString('utf8');
      return quarantinedLine(l, { path, ordinal: line, byteOffset, byteLength, reason: INVALID_UTF8, text });
    }
    if (byteLength > MAX_LINE_BYTES) return overSizeLine(path, l);
    const elided = elideLineBytes(l.bytes);
    if (elided !== undefined)
      return {
        line: { line, byteOffset, byteLength, text: elided, elided: true, ...(read ? { prefixRead: true } : {}) },
      };
  }
  if (byteLength > MAX_LINE_BYTES) return overSizeLine(path, l);
  // Checked as entryOf would (a torn, empty or invalid line goes that way: it is quarantined).
  if (opts.textBytes && decode === undefined && !skippable && !l.torn && byteLength > 0 && isUtf8(l.bytes))
    return {
      line: read
        ? { line, byteOffset, byteLength, text: null, prefixRead: true }
        : { line, byteOffset, byteLength, text: null },
      textBytes: l.bytes,
    };
  const entry = entryOf(path, l, acceptText);
  if (entry.kind === 'quarantined') return quarantinedLine(l, entry.record);
  if (entry.kind !== 'line') throw new Error('unreachable: a scanned line is a line or quarantined');
  const text = entry.line.text;
  if (decode === undefined && skippable) {
    // A line of a skipped kind that its last byte does not close: the runner would skip it by its
    // prefix again, so it is parsed here, and one that is not JSON is rejected with the reason.
    try {
      parseJson(text);
    } catch (err) {
      return {
        line: {
          line,
          byteOffset,
          byteLength,
          text,
          lazy: { kind: 'undecodable', reason: `not JSON: ${(err as Error).message}` },
        },
      };
    }
  }
  if (decode === undefined)
    return {
      line: read ? { line, byteOffset, byteLength, text, prefixRead: true } : { line, byteOffset, byteLength, text },
    };
  const d = decode(text, l.ordinal, l.byteOffset);
  return {
    line: {
      line,
      byteOffset,
      byteLength,
      text,
      lazy: E.isLeft(d) ? { kind: 'undecodable', reason: d.left } : { kind: 'decoded', line: d.right },
    },
  };
};
