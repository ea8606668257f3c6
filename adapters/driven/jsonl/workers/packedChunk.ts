import type { TailedChunk, TailedLine } from '../readers/tailLines.js';
import type { SkippedLine } from '../../../../projections/linePrefix.js';

/**
 * A chunk of tailed lines as it crosses from the reader thread (tailWorker.ts) to the folding
 * thread: the bytes of the lines to decode one after the other (the reader thread reads them as
 * bytes: `TailSource.textBytes`), the other texts (an elided line's, a skipped line's timestamp
 * and kind) joined into two strings, their numbers in one array, both arrays transferred, and
 * only the rare lines of other shapes (quarantined bytes, an upcast or undecodable line) as
 * objects. Posted as objects, each line cost the receiving thread a deserialised object graph,
 * a large share of everything a heavy build allocated. Sent as texts, every text was made
 * three times (decoded, joined, cloned); as bytes, once, by the thread that parses it, and a heavy
 * build burnt less CPU (measured in the commit that made it). A
 * joined text comes back as a slice of its string (V8 copies nothing for it). Texts with a
 * character past Latin-1 are joined apart (`wide`): V8 stores a string with one such character at
 * two bytes a character, and so would every line joined with it.
 */
export interface PackedChunk {
  readonly texts: string;
  readonly wide: string;
  /** NUMBERS_PER_LINE numbers a line, in order (see `packChunk`). */
  readonly numbers: Float64Array<ArrayBuffer>;
  /** The bytes of the lines read as bytes (`TailedLine.textBytes`), one after the other (transferred too). */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Lines of other shapes, by their index in the chunk, as they are. */
  readonly others: ReadonlyArray<readonly [number, TailedLine]>;
  readonly tail: Uint8Array;
}

const NUMBERS_PER_LINE = 7;
const TEXT = 0;
const ELIDED = 1;
const SKIPPED = 2;
const OTHER = 3;
const TEXT_BYTES = 4;
/** A skipped line Codex does not number (`SkippedLine.unnumbered`). */
const SKIPPED_UNNUMBERED = 5;

const PAST_LATIN1 = /[^\u0000-\u00ff]/;

/** The line's shape code: only the shapes `tailLines.ts` makes for most lines are packed. */
const shapeOf = (t: TailedLine): number => {
  if (t.quarantined !== undefined) return OTHER;
  const l = t.line;
  if (t.textBytes !== undefined)
    return l.text === null && l.lazy === undefined && l.elided === undefined ? TEXT_BYTES : OTHER;
  if (l.lazy === undefined) {
    if (l.text === null) return OTHER;
    if (l.elided === undefined) return TEXT;
    return l.elided === true ? ELIDED : OTHER;
  }
  return l.lazy.kind === 'skipped' && l.text === null && l.elided === undefined ? SKIPPED : OTHER;
};

/** Pack a chunk; `unpackChunk` gives it back equal, field for field. */
export const packChunk = (chunk: TailedChunk): PackedChunk => {
  const texts: string[] = [];
  const wide: string[] = [];
  const numbers = new Float64Array(chunk.lines.length * NUMBERS_PER_LINE);
  const others: Array<readonly [number, TailedLine]> = [];
  let byteCount = 0;
  for (const t of chunk.lines) byteCount += t.textBytes?.length ?? 0;
  const bytes = new Uint8Array(byteCount);
  let bytesAt = 0;
  chunk.lines.forEach((t, i) => {
    const l = t.line;
    const at = i * NUMBERS_PER_LINE;
    const shape = shapeOf(t);
    numbers[at] = l.line;
    numbers[at + 1] = l.byteOffset;
    numbers[at + 2] = l.byteLength;
    numbers[at + 3] = shape;
    if (shape === TEXT_BYTES) {
      bytes.set(t.textBytes!, bytesAt);
      bytesAt += t.textBytes!.length;
      numbers[at + 4] = t.textBytes!.length;
      numbers[at + 6] = l.prefixRead === true ? 1 : 0;
    } else if (shape === TEXT || shape === ELIDED) {
      const isWide = PAST_LATIN1.test(l.text!);
      (isWide ? wide : texts).push(l.text!);
      numbers[at + 4] = l.text!.length;
      numbers[at + 5] = isWide ? 1 : 0;
      numbers[at + 6] = l.prefixRead === true ? 1 : 0;
    } else if (shape === SKIPPED && l.lazy?.kind === 'skipped' && !PAST_LATIN1.test(l.lazy.timestamp + l.lazy.type)) {
      texts.push(l.lazy.timestamp, l.lazy.type);
      if (l.lazy.unnumbered === true) numbers[at + 3] = SKIPPED_UNNUMBERED;
      numbers[at + 4] = l.lazy.timestamp.length;
      numbers[at + 5] = l.lazy.type.length;
      numbers[at + 6] = l.lazy.ordinal ?? Number.NaN;
    } else {
      numbers[at + 3] = OTHER;
      others.push([i, t]);
    }
  });
  return { texts: texts.join(''), wide: wide.join(''), numbers, bytes, others, tail: chunk.tail };
};

/** The chunk `packChunk` packed (its tail a Buffer over the same bytes). */
export const unpackChunk = (p: PackedChunk): TailedChunk => {
  const n = p.numbers.length / NUMBERS_PER_LINE;
  const lines = new Array<TailedLine>(n);
  for (const [i, t] of p.others) lines[i] = t;
  const { texts, wide, numbers } = p;
  let from = 0;
  let fromWide = 0;
  const bytes = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  let bytesAt = 0;
  for (let i = 0; i < n; i++) {
    const at = i * NUMBERS_PER_LINE;
    const shape = numbers[at + 3];
    if (shape === OTHER) continue;
    const line = numbers[at]!;
    const byteOffset = numbers[at + 1]!;
    const byteLength = numbers[at + 2]!;
    if (shape === TEXT_BYTES) {
      // Decoded here: the bytes were checked to be UTF-8 where they were read.
      const text = bytes.toString('utf8', bytesAt, (bytesAt += numbers[at + 4]!));
      lines[i] = {
        line:
          numbers[at + 6] === 1
            ? { line, byteOffset, byteLength, text, prefixRead: true }
            : { line, byteOffset, byteLength, text },
      };
    } else if (shape === SKIPPED || shape === SKIPPED_UNNUMBERED) {
      const timestamp = texts.slice(from, (from += numbers[at + 4]!));
      const type = texts.slice(from, (from += numbers[at + 5]!));
      const ordinal = Number.isNaN(numbers[at + 6]!) ? null : numbers[at + 6]!;
      const lazy: SkippedLine =
        shape === SKIPPED
          ? { kind: 'skipped', timestamp, ordinal, type }
          : { kind: 'skipped', timestamp, ordinal, type, unnumbered: true };
      lines[i] = { line: { line, byteOffset, byteLength, text: null, lazy } };
    } else {
      const text =
        numbers[at + 5] === 1
          ? wide.slice(fromWide, (fromWide += numbers[at + 4]!))
          : texts.slice(from, (from += numbers[at + 4]!));
      const read = numbers[at + 6] === 1;
      if (shape === ELIDED)
        lines[i] = {
          line: read
            ? { line, byteOffset, byteLength, text, elided: true, prefixRead: true }
            : { line, byteOffset, byteLength, text, elided: true },
        };
      else
        lines[i] = {
          line: read
            ? { line, byteOffset, byteLength, text, prefixRead: true }
            : { line, byteOffset, byteLength, text },
        };
    }
  }
  return { lines, tail: Buffer.from(p.tail.buffer, p.tail.byteOffset, p.tail.byteLength) };
};
