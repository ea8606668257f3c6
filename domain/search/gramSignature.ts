/**
 * A rollout file's search signature: a 2 KiB bit set of the hashed trigrams of its conversation
 * text, case-folded. A term can only match in a file whose signature holds every trigram of the
 * term (a hash collision only lets a file through to the exact check); terms under three code
 * points pass every file. One row per file, so a query tests a few bits per thread.
 */
export const SIGNATURE_BYTES = 2048;

const folded = new Map<number, number>();

/**
 * One code point's case class: two code points Unicode simple case folding calls equal get the
 * same number (some unequal ones too, which only widens the candidates). Ranges whose folding
 * special-cases differ between Unicode versions share one number.
 */
const foldCodePoint = (cp: number): number => {
  if (cp < 128) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  const known = folded.get(cp);
  if (known !== undefined) return known;
  let f: number;
  if ((cp >= 0x1f00 && cp <= 0x1fff) || (cp >= 0xfb00 && cp <= 0xfb4f) || cp === 0x390 || cp === 0x3b0) f = 0x1f00;
  else {
    const c = String.fromCodePoint(cp);
    const round = c.toUpperCase().toLowerCase();
    const lower = c.toLowerCase();
    const one = (s: string): boolean => s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);
    f = one(round) ? round.codePointAt(0)! : one(lower) ? lower.codePointAt(0)! : cp;
  }
  folded.set(cp, f);
  return f;
};

const bitOf = (a: number, b: number, c: number): number => {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return h >>> 0;
};

/** Calls `each` with the 32-bit hash of every trigram of `text` (NUL separates runs no trigram spans); a signature keeps its low bits. */
const eachGramBit = (text: string, each: (bit: number) => void): void => {
  let a = -1;
  let b = -1;
  for (let i = 0; i < text.length; i += 1) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      cp = text.codePointAt(i)!;
      if (cp > 0xffff) i += 1;
    }
    if (cp === 0) {
      a = -1;
      b = -1;
      continue;
    }
    const c = foldCodePoint(cp);
    if (a >= 0) each(bitOf(a, b, c));
    a = b;
    b = c;
  }
};

/** Sets the bits of `text`'s trigrams in `signature`. */
export const addToSignature = (signature: Uint8Array, text: string): void => {
  const mask = signature.length * 8 - 1;
  eachGramBit(text, (hash) => {
    const bit = hash & mask;
    signature[bit >>> 3]! |= 1 << (bit & 7);
  });
};

/** The trigram hashes whose bits a file's signature must hold for `term` to match in it (none for a term under three code points). */
export const termBits = (term: string): number[] => {
  const bits: number[] = [];
  eachGramBit(term, (bit) => bits.push(bit));
  return bits;
};

/** Whether `signature` holds every hash's bit (its size, a power of two, says how many bits a hash keeps: a stored one of another size still answers). */
export const signatureHolds = (signature: Uint8Array, hashes: ReadonlyArray<number>): boolean => {
  const mask = signature.length * 8 - 1;
  for (const hash of hashes) {
    const bit = hash & mask;
    if ((signature[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
};
