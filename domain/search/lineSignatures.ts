/**
 * Each searched line's own signature (its grams' hashes, as a file's: gramSignature.ts), packed in
 * blocks of a rollout file's lines. A term a file's signature lets through is looked for only in
 * the texts of the lines whose signature holds it, found by reading a block (one row for 128 file
 * lines), not in every text up to the first match (a word in most threads was matched after ~36
 * texts read per thread on the real-shaped home).
 *
 * A block is its entries in line order, each: the line (u32 LE), log2 of its signature's bytes
 * (u8), the signature: about 3 bits per gram hashed into it, a power of two from 8 to 512 bytes
 * (a term of two grams passes about one line in twelve it is not in; a long line's is fuller).
 */
export const LINES_PER_BLOCK = 128;

const HEADER_BYTES = 5;
const MIN_LOG2 = 3;
const MAX_LOG2 = 9;
const BITS_PER_GRAM = 3;

/** The block holding a line's entry. */
export const blockOfLine = (line: number): number => Math.floor(line / LINES_PER_BLOCK);

const log2BytesFor = (grams: number): number => {
  let log2 = MIN_LOG2;
  while (log2 < MAX_LOG2 && 8 << log2 < grams * BITS_PER_GRAM) log2 += 1;
  return log2;
};

/** The bytes an entry of `grams` hashes takes in a block. */
export const lineEntryBytes = (grams: number): number => HEADER_BYTES + (1 << log2BytesFor(grams));

/** Writes the entry of `line` and its grams' hashes at `at` (room for `lineEntryBytes(hashes.length)` there); returns where it ends. */
export const writeLineEntry = (block: Uint8Array, at: number, line: number, hashes: ArrayLike<number>): number => {
  const start = entryStart(block, at, line, hashes.length);
  const bytes = 1 << block[at + 4]!;
  const mask = bytes * 8 - 1;
  for (let i = 0; i < hashes.length; i++) {
    const bit = hashes[i]! & mask;
    block[start + (bit >>> 3)]! |= 1 << (bit & 7);
  }
  return start + bytes;
};

/** Writes an entry's header and clears its signature; where the signature starts. */
const entryStart = (block: Uint8Array, at: number, line: number, grams: number): number => {
  const log2 = log2BytesFor(grams);
  block[at] = line & 0xff;
  block[at + 1] = (line >>> 8) & 0xff;
  block[at + 2] = (line >>> 16) & 0xff;
  block[at + 3] = (line >>> 24) & 0xff;
  block[at + 4] = log2;
  const start = at + HEADER_BYTES;
  block.fill(0, start, start + (1 << log2));
  return start;
};

/**
 * `writeLineEntry` for `grams` hashes that `setAll` gives one by one (a long line's are not held
 * in an array: a 50 MB line has a hundred million).
 */
export const writeLineEntryOf = (
  block: Uint8Array,
  at: number,
  line: number,
  grams: number,
  setAll: (set: (hash: number) => void) => void,
): number => {
  const start = entryStart(block, at, line, grams);
  const bytes = 1 << block[at + 4]!;
  const mask = bytes * 8 - 1;
  setAll((hash) => {
    const bit = hash & mask;
    block[start + (bit >>> 3)]! |= 1 << (bit & 7);
  });
  return start + bytes;
};

/** The lines of a block whose signature holds every hash's bit, in line order. */
export const linesHolding = (block: Uint8Array, hashes: ReadonlyArray<number>): number[] => {
  const lines: number[] = [];
  for (let at = 0; at + HEADER_BYTES <= block.length;) {
    const start = at + HEADER_BYTES;
    const bytes = 1 << block[at + 4]!;
    const mask = bytes * 8 - 1;
    let holds = true;
    for (const hash of hashes) {
      const bit = hash & mask;
      if ((block[start + (bit >>> 3)]! & (1 << (bit & 7))) === 0) {
        holds = false;
        break;
      }
    }
    if (holds) lines.push((block[at]! | (block[at + 1]! << 8) | (block[at + 2]! << 16) | (block[at + 3]! << 24)) >>> 0);
    at = start + bytes;
  }
  return lines;
};
