import { isUtf8 } from 'node:buffer';
import { ELIDE_FROM, ELIDE_MIN_STRING, asciiPrefix, isValidStringBytes, unreadStringKeys } from './linePrefix.js';

/**
 * The byte-level half of the lazy decode (lazyLine.ts): a long line's text without the strings no
 * projection reads, decoded without ever decoding those bytes (UTF-8 decoding of tool output is
 * the slow part of reading it). Pure.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index of the quote closing the JSON string whose bytes start at `from` (-1 if none). */
const closingQuote = (b: Buffer, from: number): number => {
  let p = from;
  for (;;) {
    const q = b.indexOf(QUOTE, p);
    if (q < 0) return -1;
    let backslashes = 0;
    while (b[q - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return q;
    p = q + 1;
  }
};

/**
 * Whether a line's bytes are one JSON object or array that its last byte closes: false for a line
 * cut short (a torn or truncated write), which a full decode then rejects with its reason. A line
 * no projection reads is skipped unparsed, so this is all that stands between a truncated model-
 * context line and a silent drop; strings are passed over with indexOf (most of such a line's
 * bytes are in them). False negatives (trailing spaces) only cost a full decode. Pure.
 */
export const closesAtEnd = (b: Buffer): boolean => {
  let depth = 0;
  const last = b.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      const q = closingQuote(b, i + 1);
      if (q < 0) return false;
      i = q;
    } else if (c === 0x7b || c === 0x5b) depth += 1;
    else if (c === 0x7d || c === 0x5d) {
      depth -= 1;
      if (depth <= 0) return depth === 0 && i === last;
    }
  }
  return false;
};

/**
 * The text of a long needed line without the contents of the strings no projection reads (a
 * command's output, the base instructions), decoded without ever decoding those bytes; undefined
 * when nothing is dropped. A string is dropped only if it is valid UTF-8 and valid JSON string
 * content, and the kept bytes must be valid UTF-8, so every line a full decode would reject is
 * still decoded in full (and rejected).
 */
export const elideLineBytes = (bytes: Buffer): string | undefined => {
  if (bytes.length < ELIDE_FROM) return undefined;
  const prefix = asciiPrefix(bytes);
  const keys = prefix === undefined ? undefined : unreadStringKeys(prefix);
  if (!keys) return undefined;
  const cuts: Array<[number, number]> = [];
  for (const key of keys) {
    let from = 0;
    for (;;) {
      const at = bytes.indexOf(key, from, 'latin1');
      if (at < 0) break;
      from = at + key.length;
      let backslashes = 0;
      while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
      if (backslashes % 2 === 1) continue; // an escaped quote: the key is inside a string
      const end = closingQuote(bytes, from);
      if (end < 0) break;
      const content = bytes.subarray(from, end);
      if (end - from > ELIDE_MIN_STRING && isUtf8(content) && isValidStringBytes(content)) cuts.push([from, end]);
      from = end + 1;
    }
  }
  if (cuts.length === 0) return undefined;
  cuts.sort((a, b) => a[0] - b[0]);
  const kept: Buffer[] = [];
  let at = 0;
  for (const [a, b] of cuts) {
    if (a < at) continue;
    kept.push(bytes.subarray(at, a));
    at = b;
  }
  kept.push(bytes.subarray(at));
  if (!kept.every((k) => isUtf8(k))) return undefined;
  return kept.map((k) => k.toString('utf8')).join('');
};
