/**
 * The cursor of projections/tokenLineFields.ts over one line's bytes, and the JSON it reads there
 * in place: strings, numbers, objects key by key, any value passed over (checked as JSON, never
 * built), each by JSON.parse's rules. The cursor is this module's state (one line at a time: the
 * fold is synchronous), moved only by the functions here. Pure.
 */
import { bytesOf } from './linePrefix.js';

/** Deeper values are left to the full decode (the byte walk below is recursive), whose parse refuses past 127 levels (domain/jsonNesting.ts parseJson). */
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** The bytes the envelope and the payload readers look for. */
export { CLOSE_BRACE, COMMA, QUOTE };

const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');

/** The walk over one line: its bytes, where it stands, where the line ends. One at a time (the fold is synchronous). */
let b: Buffer = Buffer.alloc(0);
let p = 0;
let end = 0;
const EMPTY = Buffer.alloc(0);

/** `read`'s answer over the line `bytes[start, stop)`, the cursor at its start; the line let go after. */
export const overLine = <T>(bytes: Buffer, start: number, stop: number, read: () => T): T => {
  b = bytes;
  p = start;
  end = stop;
  try {
    return read();
  } finally {
    b = EMPTY;
  }
};

/** Where the cursor stands, and back there: a reader that tries one layout, then another. */
export const position = (): number => p;
export const moveTo = (i: number): void => {
  p = i;
};

/** The byte at the cursor; -1 past the line's end. */
export const peek = (): number => at(p);

/** Whether the byte at the cursor is `c`, the cursor moved past it; false if not (the cursor unmoved). */
export const skipByte = (c: number): boolean => {
  if (at(p) !== c) return false;
  p += 1;
  return true;
};

/** Whether the byte at the cursor is `c` and the line's last. */
export const isLastByte = (c: number): boolean => p === end - 1 && at(p) === c;

/** Whether the bytes at the cursor are `word`, the cursor moved past them; false if not (the cursor unmoved). */
export const holdsAt = (word: Uint8Array): boolean => {
  if (p + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  p += word.length;
  return true;
};

const isHex = (c: number): boolean => (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Pass over a string whose opening quote is at `p` (JSON.parse's rules: no raw control character,
 * only its escapes); -1 if it is not one, else the index of its closing quote, and `escaped` set
 * when it holds an escape. `p` moves past it.
 */
let escaped = false;
const passString = (): number => {
  if (at(p) !== QUOTE) return -1;
  escaped = false;
  // Locals: the loop runs over most of a line's bytes.
  const buf = b;
  const stop = end;
  let i = p + 1;
  while (i < stop) {
    const c = buf[i]!;
    if (c > BACKSLASH || (c > QUOTE && c !== BACKSLASH)) {
      i += 1;
      continue;
    }
    if (c === QUOTE) {
      p = i + 1;
      return i;
    }
    if (c < 0x20) return -1;
    if (c === BACKSLASH) {
      escaped = true;
      const e = at(i + 1);
      if (e === 0x75) {
        if (i + 6 > end || !isHex(b[i + 2]!) || !isHex(b[i + 3]!) || !isHex(b[i + 4]!) || !isHex(b[i + 5]!)) return -1;
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
      i += 2;
      continue;
    }
    i += 1;
  }
  return -1;
};

/** A string's value, when it holds no escape (its bytes are its UTF-8); undefined otherwise. `p` moves past it. */
export const plainString = (): string | undefined => {
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped) return undefined;
  return b.toString('utf8', from, close);
};

/** The byte at `i` of the line; -1 past its end. */
const at = (i: number): number => (i < end ? b[i]! : -1);
const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/** A number in JSON's grammar at `p` (its value as JSON.parse reads it); undefined if none. */
export const number = (): number | undefined => {
  const from = p;
  let i = p;
  const negative = at(i) === MINUS;
  if (negative) i += 1;
  let v = 0;
  if (at(i) === ZERO) i += 1;
  else if (isDigit(at(i)))
    while (isDigit(at(i))) {
      v = v * 10 + (b[i]! - ZERO);
      i += 1;
    }
  else return undefined;
  let whole = true;
  if (at(i) === DOT) {
    whole = false;
    i += 1;
    if (!isDigit(at(i))) return undefined;
    while (isDigit(at(i))) i += 1;
  }
  if (at(i) === 0x65 || at(i) === 0x45) {
    whole = false;
    i += 1;
    if (at(i) === PLUS || at(i) === MINUS) i += 1;
    if (!isDigit(at(i))) return undefined;
    while (isDigit(at(i))) i += 1;
  }
  p = i;
  // Up to 15 digits an integer is summed exactly; JSON.parse's conversion for the rest (the same one as Number's).
  if (whole && i - from - (negative ? 1 : 0) <= 15) return negative ? -v : v;
  return Number(b.toString('latin1', from, i));
};

/** Pass over any JSON value at `p`; false if the bytes are not one (or nest deeper than MAX_DEPTH). */
const passValue = (depth: number): boolean => {
  const c = at(p);
  if (c === QUOTE) return passString() >= 0;
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    if (depth >= MAX_DEPTH) return false;
    const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    p += 1;
    if (at(p) === close) {
      p += 1;
      return true;
    }
    for (;;) {
      // An object's member: its key first.
      if (c === OPEN_BRACE) {
        if (passString() < 0 || at(p) !== COLON) return false;
        p += 1;
      }
      if (!passValue(depth + 1)) return false;
      if (at(p) === COMMA) p += 1;
      else if (at(p) === close) {
        p += 1;
        return true;
      } else return false;
    }
  }
  if (c === 0x74) return holdsAt(TRUE);
  if (c === 0x66) return holdsAt(FALSE);
  if (c === 0x6e) return holdsAt(NULL);
  return number() !== undefined;
};

/** `null` at `p` (moved past); false otherwise (`p` unmoved). */
export const isNull = (): boolean => at(p) === 0x6e && holdsAt(NULL);

/** Sentinel: the value is not of the codec's type (or not JSON), the line goes to the full decode. */
export const NOT_TAKEN = Symbol('not taken');
export type Taken<T> = T | typeof NOT_TAKEN;

/** `optional(t.string)`: a string, or null. */
export const stringOrNull = (): Taken<string | null> =>
  isNull() ? null : at(p) === QUOTE ? (plainString() ?? NOT_TAKEN) : NOT_TAKEN;
/** `optional(t.number)`. */
export const numberOrNull = (): Taken<number | null> => (isNull() ? null : (number() ?? NOT_TAKEN));

/** What `nextKey` found: a key it does not know, the object's end, or bytes that are not JSON (or a key with an escape). */
const OTHER = -1;
const DONE = -2;
const BROKEN = -3;

/** Enter the object at `p` (false: none, or nested deeper than MAX_DEPTH): then `nextKey(…, true)` reads its first key. */
const enterObject = (depth: number): boolean => {
  if (at(p) !== OPEN_BRACE || depth >= MAX_DEPTH) return false;
  p += 1;
  return true;
};

/**
 * The index in `known` of the object's next key (its value at `p`), OTHER, DONE (`p` past the
 * object), or BROKEN. `first`: right after `enterObject`, else right after a value.
 */
const nextKey = (known: ReadonlyArray<Uint8Array>, first: boolean): number => {
  if (at(p) === CLOSE_BRACE) {
    p += 1;
    return DONE;
  }
  if (!first) {
    if (at(p) !== COMMA) return BROKEN;
    p += 1;
  }
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped || at(p) !== COLON) return BROKEN;
  p += 1;
  return keyIndex(known, from, close);
};

/** Index of the key whose bytes are `b[from, to)` in `known` (ASCII names), -1 if none. */
const keyIndex = (known: ReadonlyArray<Uint8Array>, from: number, to: number): number => {
  const len = to - from;
  for (let k = 0; k < known.length; k++) {
    const name = known[k]!;
    if (name.length !== len) continue;
    let i = 0;
    while (i < len && b[from + i] === name[i]) i += 1;
    if (i === len) return k;
  }
  return OTHER;
};

export const keys = (...names: string[]): ReadonlyArray<Uint8Array> => names.map(bytesOf);

/**
 * Walk the object at `p` (its keys in any order), giving each key `known` holds to `field`
 * (false: not taken) and passing over the others as any JSON; false if the bytes are not an
 * object, a key has an escape, or a known key comes twice (JSON.parse keeps the last). `p` moves
 * past the object. At most 31 known keys (a bit each).
 */
export const walkObject = (depth: number, known: ReadonlyArray<Uint8Array>, field: (k: number) => boolean): boolean => {
  if (!enterObject(depth)) return false;
  let seen = 0;
  for (let k = nextKey(known, true); k !== DONE; k = nextKey(known, false)) {
    if (k === BROKEN) return false;
    if (k === OTHER) {
      if (!passValue(depth + 1)) return false;
      continue;
    }
    if ((seen & (1 << k)) !== 0 || !field(k)) return false;
    seen |= 1 << k;
  }
  return true;
};

/** Whether the string at `p` is `word` (no escape), `p` moved past it; false if not (`p` moved anywhere). */
export const isString = (word: Uint8Array): boolean => {
  if (at(p) !== QUOTE) return false;
  const from = p + 1;
  const close = passString();
  if (close < 0 || close - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (b[from + i] !== word[i]) return false;
  return true;
};

/** The index in `names` of the string at the cursor (no escape), the cursor moved past it; -1 if none. */
export const stringIndex = (names: ReadonlyArray<Uint8Array>): number => {
  if (at(p) !== QUOTE) return -1;
  const from = p + 1;
  const close = passString();
  if (close < 0 || escaped) return -1;
  return keyIndex(names, from, close);
};
