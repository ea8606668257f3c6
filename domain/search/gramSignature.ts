/**
 * A rollout file's search signature: a 2 KiB bit set of the hashed trigrams of its conversation
 * text, case-folded, and of its six-grams (two trigrams three code points apart). A term can only
 * match in a file whose signature holds every trigram and six-gram of the term (a hash collision
 * only lets a file through to the exact check); terms under three code points pass every file. The
 * six-grams keep a phrase whose words each occur somewhere in a file ("fact number 17" in a file of
 * "fact number 1" … "16" and "2017") from reading that file's texts. One row per file, so a query
 * tests a few bits per thread.
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

/** A six-gram's hash from its two trigrams' (in order, so "abcdef" and "defabc" differ). */
const sixGramOf = (first: number, second: number): number => {
  let h = Math.imul(first ^ 0x5bd1e995, 0x27d4eb2f) ^ second;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
};

/** Where a gram scan of a text is: the next code unit, the last two code points' classes, the last three trigrams' hashes, the trigrams of the current run. */
interface GramScan {
  i: number;
  a: number;
  b: number;
  g1: number;
  g2: number;
  g3: number;
  grams: number;
}

const newScan = (): GramScan => ({ i: 0, a: -1, b: -1, g1: 0, g2: 0, g3: 0, grams: 0 });

/**
 * Writes the 32-bit hash of every trigram of `text` from where `scan` is, and of every six-gram
 * (the trigram three places back with this one), into `out` until it is full or the text ends;
 * NUL separates runs no gram spans. Returns how many it wrote. One loop writing a typed array: a
 * callback a gram (two a character) was a third of a cold index build's search work.
 */
const fillGramHashes = (text: string, scan: GramScan, out: Uint32Array): number => {
  let { i, a, b, g1, g2, g3, grams } = scan;
  let n = 0;
  // A character writes at most two hashes: go on while two fit.
  const room = out.length - 1;
  for (; i < text.length && n < room; i += 1) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      cp = text.codePointAt(i)!;
      if (cp > 0xffff) i += 1;
    }
    if (cp === 0) {
      a = -1;
      b = -1;
      grams = 0;
      continue;
    }
    const c = foldCodePoint(cp);
    if (a >= 0) {
      const gram = bitOf(a, b, c);
      out[n++] = gram;
      if (grams >= 3) out[n++] = sixGramOf(g3, gram);
      g3 = g2;
      g2 = g1;
      g1 = gram;
      grams += 1;
    }
    a = b;
    b = c;
  }
  scan.i = i;
  scan.a = a;
  scan.b = b;
  scan.g1 = g1;
  scan.g2 = g2;
  scan.g3 = g3;
  scan.grams = grams;
  return n;
};

/** Reused by `gramHashesOfText`, grown to the longest text asked of it (a projection asks only of texts up to 64 Ki code units). */
let scratch = new Uint32Array(4096);

/**
 * Calls `each` with the hash of every trigram and six-gram of `text`, in order (what
 * `gramHashesOfText` gives), a chunk at a time: for a text too long to hold its hashes.
 */
export const eachGramHash = (text: string, each: (hash: number) => void): void => {
  const scan = newScan();
  const chunk = new Uint32Array(4096);
  while (scan.i < text.length) {
    const n = fillGramHashes(text, scan, chunk);
    for (let k = 0; k < n; k++) each(chunk[k]!);
  }
};

/**
 * The hash of every trigram and six-gram of `text`, in order, as a view of a buffer the next call
 * reuses: for use at once (a projection's line), never kept.
 */
export const gramHashesOfText = (text: string): Uint32Array => {
  // At most two hashes a code unit, and the filler stops one short of full.
  const need = 2 * text.length + 2;
  if (scratch.length < need) scratch = new Uint32Array(Math.max(need, 2 * scratch.length));
  return scratch.subarray(0, fillGramHashes(text, newScan(), scratch));
};

/** Sets the bits of `text`'s trigrams and six-grams in `signature`. */
export const addToSignature = (signature: Uint8Array, text: string): void => {
  const mask = signature.length * 8 - 1;
  eachGramHash(text, (hash) => {
    const bit = hash & mask;
    signature[bit >>> 3]! |= 1 << (bit & 7);
  });
};

/** The hash of every trigram and six-gram of `text`, in order (what `addToSignature` sets). */
export const gramHashesOf = (text: string): number[] => Array.from(gramHashesOfText(text));

/** Sets a hash's bit in `signature` (its size, a power of two, says how many low bits a hash keeps). */
export const setHash = (signature: Uint8Array, hash: number): void => {
  const bit = hash & (signature.length * 8 - 1);
  signature[bit >>> 3]! |= 1 << (bit & 7);
};

/** Sets each hash's bit in `signature`. */
export const setHashes = (signature: Uint8Array, hashes: ArrayLike<number>): void => {
  for (let i = 0; i < hashes.length; i++) setHash(signature, hashes[i]!);
};

/** The gram hashes whose bits a file's signature must hold for `term` to match in it (none for a term under three code points). */
export const termBits = (term: string): number[] => gramHashesOf(term);

/** Whether `signature` holds every hash's bit (its size, a power of two, says how many bits a hash keeps: a stored one of another size still answers). */
export const signatureHolds = (signature: Uint8Array, hashes: ReadonlyArray<number>): boolean =>
  firstMissing(signature, hashes) < 0;

/** The index of the first hash whose bit `signature` lacks, -1 when it holds them all. */
export const firstMissing = (signature: Uint8Array, hashes: ReadonlyArray<number>): number => {
  const mask = signature.length * 8 - 1;
  for (let i = 0; i < hashes.length; i++) {
    const bit = hashes[i]! & mask;
    if ((signature[bit >>> 3]! & (1 << (bit & 7))) === 0) return i;
  }
  return -1;
};
