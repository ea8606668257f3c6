import { expect } from 'chai';
import fc from 'fast-check';
import { isValidStringBytes, isValidStringContent } from '../../projections/linePrefix.js';

/** What the validators must agree with: JSON.parse of the characters between two quotes. */
const parses = (content: string): boolean => {
  try {
    JSON.parse(`"${content}"`);
    return true;
  } catch {
    return false;
  }
};

// Strings dense in what decides validity: backslashes, escape letters, hex digits, control characters, quotes, non-ASCII.
const tricky = fc
  .array(fc.constantFrom('\\', 'u', 'n', 't', 'x', '0', 'a', 'F', 'g', '/', '"', '\u0000', '\t', '\u001f', ' ', 'é', '😀', '\u007f'), { maxLength: 24 })
  .map((cs) => cs.join(''));

describe('lazy line string validation', () => {
  it('bytes and text validators agree with JSON.parse on escape-dense strings (property)', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        // The elision only sees content up to an unescaped closing quote: no bare quote inside, no odd backslash run at the end.
        if (/(^|[^\\])(\\\\)*"/.test(s) || /(^|[^\\])\\(\\\\)*$/.test(s)) return;
        const expected = parses(s);
        expect(isValidStringBytes(Buffer.from(s, 'utf8')), JSON.stringify(s)).to.equal(expected);
        expect(isValidStringContent(s), JSON.stringify(s)).to.equal(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a trailing backslash, a short \\u escape and raw control characters', () => {
    for (const bad of ['abc\\', '\\u12', '\\u12g4', 'a\tb', '\\x41', '\\U0041']) expect(isValidStringBytes(Buffer.from(bad)), bad).to.equal(false);
    for (const good of ['', 'plain', '\\n\\t\\"\\\\\\/\\b\\f\\r', '\\u00e9\\uD83D\\uDE00', 'é😀']) expect(isValidStringBytes(Buffer.from(good)), good).to.equal(true);
  });
});
