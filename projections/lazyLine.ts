import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine } from '../domain/rollout/line.js';
import type { RolloutLine } from '../domain/rollout/line.js';
import {
  ELIDE_FROM,
  ELIDE_MIN_STRING,
  PREFIX_BYTES,
  isValidStringContent,
  skipByPrefix,
  unreadStringKeys,
} from './linePrefix.js';
import type { LazyOptions, SkippedLine } from './linePrefix.js';

/**
 * Lazy decode: a line no projection reads is skipped by its first bytes (linePrefix.ts), a long
 * needed line is parsed without the strings none reads, everything else is parsed in full.
 */

/** A line as the runner takes it: skipped by its prefix, decoded, or not decodable (with why). */
export type LazyLine =
  | SkippedLine
  | { readonly kind: 'decoded'; readonly line: RolloutLine }
  | { readonly kind: 'undecodable'; readonly reason: string };

/** Index of the quote closing the JSON string whose contents start at `from` (-1 if none). */
const closingQuote = (text: string, from: number): number => {
  let p = from;
  for (;;) {
    const q = text.indexOf('"', p);
    if (q < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 92) backslashes += 1;
    if (backslashes % 2 === 0) return q;
    p = q + 1;
  }
};

/**
 * The text to parse for a needed line: `text` itself, or with the contents of its unread long
 * strings dropped. A string is only dropped when it is valid JSON string content, so a line the
 * full parse would reject is still rejected. Pure.
 */
export const withoutUnreadStrings = (text: string): string => {
  if (text.length < ELIDE_FROM) return text;
  const keys = unreadStringKeys(text.slice(0, PREFIX_BYTES));
  if (!keys) return text;
  const cuts: Array<[number, number]> = [];
  for (const key of keys) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(key, from);
      if (at < 0) break;
      from = at + key.length;
      let backslashes = 0;
      while (text.charCodeAt(at - 1 - backslashes) === 92) backslashes += 1;
      if (backslashes % 2 === 1) continue; // an escaped quote: the key is inside a string
      const end = closingQuote(text, from);
      if (end < 0) break;
      if (end - from > ELIDE_MIN_STRING && isValidStringContent(text.slice(from, end))) cuts.push([from, end]);
      from = end + 1;
    }
  }
  if (cuts.length === 0) return text;
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [a, b] of cuts) {
    if (a < at) continue; // overlapping matches (one key's value inside another's): keep the first
    out += text.slice(at, a);
    at = b;
  }
  return out + text.slice(at);
};

export const lazyDecode = (text: string, opts: LazyOptions = {}): LazyLine => {
  const skipped = skipByPrefix(text.length > PREFIX_BYTES ? text.slice(0, PREFIX_BYTES) : text, opts);
  return skipped ?? decodeLine(text);
};

/** A needed line's decode (its long unread strings dropped first). */
export const decodeLine = (text: string): LazyLine => {
  const d = decodeRolloutLine(text, withoutUnreadStrings(text));
  return E.isLeft(d) ? { kind: 'undecodable', reason: d.left } : { kind: 'decoded', line: d.right };
};
