import { expect } from 'chai';
import fc from 'fast-check';
import { termBits } from '../../../domain/search/gramSignature.js';
import { literalPattern } from '../../../domain/search/literalMatch.js';
import {
  blockOfLine,
  LINES_PER_BLOCK,
  lineEntryBytes,
  linesHolding,
  writeLineEntry,
} from '../../../domain/search/lineSignatures.js';

/** A block of `texts`, the i-th at line `lines[i]`, written as the projection writes it. */
const blockOf = (texts: ReadonlyArray<string>, lines: ReadonlyArray<number>): Uint8Array => {
  const hashes = texts.map((t) => termBits(t));
  const block = new Uint8Array(hashes.reduce((n, h) => n + lineEntryBytes(h.length), 0));
  let at = 0;
  hashes.forEach((h, i) => (at = writeLineEntry(block, at, lines[i]!, h)));
  expect(at).to.equal(block.length);
  return block;
};

describe('line signatures (domain/search/lineSignatures.ts)', () => {
  it('every piece of a line’s text, in any case, passes that line: no line that matches is left out', () => {
    const letters = ['a', 'B', 'é', 'ß', 'σ', 'K', 'İ', '✓', '😀', ' ', '7', 'x', 'Q'];
    const text = fc.array(fc.constantFrom(...letters), { minLength: 0, maxLength: 400 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 30 }),
        (texts, which, from, len) => {
          const lines = texts.map((_, i) => 3 * i + (i % 2));
          const block = blockOf(texts, lines);
          const t = texts[which % texts.length]!;
          const cps = [...t];
          const piece = cps.slice(from % Math.max(1, cps.length), (from % Math.max(1, cps.length)) + len).join('');
          // Case flipped where one code point maps to one (the matcher's simple folding).
          const term = [...piece].map((c) => ([...c.toUpperCase()].length === 1 ? c.toUpperCase() : c)).join('');
          const held = linesHolding(block, termBits(term));
          if (literalPattern(term).test(t)) expect(held).to.include(lines[which % texts.length]);
          // In line order, each line once.
          expect(held).to.deep.equal([...new Set(held)].sort((x, y) => x - y));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a term a line lacks passes it rarely; lines keep their numbers, large ones too', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `Step ${i}: carry on with task number ${i}.`);
    const lines = texts.map((_, i) => 70_000 + 5 * i);
    const block = blockOf(texts, lines);
    expect(linesHolding(block, termBits('task number 123.'))).to.deep.equal([70_615]);
    expect(linesHolding(block, termBits('fact'))).to.have.length.below(20);
    expect(linesHolding(block, termBits('carry'))).to.deep.equal(lines);
    expect(linesHolding(new Uint8Array(0), termBits('carry'))).to.deep.equal([]);
    // Signatures are sized to the line: a long line's is bigger, within bounds.
    expect(lineEntryBytes(0)).to.equal(5 + 8);
    expect(lineEntryBytes(100_000)).to.equal(5 + 512);
    expect(blockOfLine(LINES_PER_BLOCK - 1)).to.equal(0);
    expect(blockOfLine(LINES_PER_BLOCK)).to.equal(1);
  });
});
