import { expect } from 'chai';
import fc from 'fast-check';
import { codePointsPrefix, hasMoreCodePointsThan } from '../../domain/codePoints.js';

describe('codePoints: cutting text by the characters its iterator gives (unit)', () => {
  // Pairs, lone high and low surrogates, a pair split across pieces, one- to three-byte characters.
  const piece = fc.constantFrom('a', 'é', '字', '😀', '\ud800', '\udc00', '\ud83d', '\ude00', '\n');

  it('says whether a text holds more than n characters and gives its first n, as splitting it into characters does', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(45), (pieces, n) => {
        const text = pieces.join('');
        const chars = Array.from(text);
        expect(hasMoreCodePointsThan(text, n)).to.equal(chars.length > n);
        expect(codePointsPrefix(text, n)).to.equal(chars.slice(0, n).join(''));
      }),
      { numRuns: 3000 },
    );
  });

  it('never splits a pair; an unbounded count keeps the whole text', () => {
    expect(codePointsPrefix('😀😀', 1)).to.equal('😀');
    expect(hasMoreCodePointsThan('😀😀', 2)).to.equal(false);
    expect(hasMoreCodePointsThan('😀😀', Infinity)).to.equal(false);
    expect(codePointsPrefix('x'.repeat(1_000_000), 3)).to.equal('xxx');
  });
});
