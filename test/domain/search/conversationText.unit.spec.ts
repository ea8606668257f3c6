import { expect } from 'chai';
import * as fc from 'fast-check';
import { collapseWhitespace, trimWhitespace } from '../../../domain/search/conversationText.js';

/** Unicode White_Space as Rust's `char::is_whitespace` knows it: the reference, as a regular expression. */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const EDGES = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');

/** Strings rich in whitespace of every kind, near-whitespace (U+FEFF, U+200B, U+180E) and astral characters. */
const spaced = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\v',
        '\f',
        '\r',
        '\u0085',
        '\u00a0',
        '\u1680',
        '\u2000',
        '\u2005',
        '\u200a',
        '\u2028',
        '\u2029',
        '\u202f',
        '\u205f',
        '\u3000',
      ),
      fc.constantFrom('\ufeff', '\u200b', '\u180e', '\u001f', '\u0008', 'x', 'é', '😀'),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('conversationText: whitespace as Rust sees it', () => {
  it("trimWhitespace is Rust's str::trim: exactly the White_Space runs at either end go", () => {
    fc.assert(
      fc.property(fc.oneof(spaced, fc.string({ unit: 'grapheme' })), (s) => {
        expect(trimWhitespace(s)).to.equal(s.replace(EDGES, ''));
      }),
      { numRuns: 5000 },
    );
    expect(trimWhitespace('\ufeff x \u3000')).to.equal('\ufeff x');
    expect(collapseWhitespace('\u0085 a \t\n b\u2028')).to.equal('a b');
  });
});
