// The key form of an id a rollout line gives (domain/index/keyText.ts): any length fits an LMDB
// key, the same id always finds its row, and no long id's form is another id's key.
import { expect } from 'chai';
import fc from 'fast-check';
import { KEY_TEXT_BYTES, keyText } from '../../../domain/index/keyText.js';
import { utf8Length as textBytes } from '../../../domain/utf8.js';

/** Texts around the threshold, of one-, two-, three- and four-byte characters (and lone surrogates). */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 100, maxLength: 700 }),
  fc.string({ unit: 'grapheme', minLength: 150, maxLength: 400 }),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: KEY_TEXT_BYTES - 80, max: 6_000 }))
    .map(([stem, n]) => stem + 'x'.repeat(n)),
);

describe('domain · index key text (issue 69)', () => {
  it('keeps a text of at most KEY_TEXT_BYTES bytes as it is, and maps a longer one (or one with a NUL) to exactly KEY_TEXT_BYTES + 1 bytes, NUL-free', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const k = keyText(text);
        if (textBytes(text) <= KEY_TEXT_BYTES && !text.includes('\u0000')) expect(k).to.equal(text);
        else {
          expect(textBytes(k)).to.equal(KEY_TEXT_BYTES + 1);
          expect(k.includes('\u0000')).to.equal(false);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds a row by the same id (lookups round-trip through a map keyed by the form)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyText, { minLength: 1, maxLength: 30 }), (ids) => {
        const rows = new Map<string, string>();
        for (const id of ids) rows.set(keyText(id), id);
        // Distinct ids, distinct keys: every id finds its own row, the full id kept in the value.
        expect(rows.size).to.equal(ids.length);
        for (const id of ids) expect(rows.get(keyText(id.slice(0)))).to.equal(id);
      }),
      { numRuns: 500 },
    );
  });

  it('never gives a long id the key of a short one, even a short one spelled like the form', () => {
    fc.assert(
      fc.property(anyText, fc.string({ maxLength: 600 }), (longish, short) => {
        const long = longish + 'y'.repeat(KEY_TEXT_BYTES + 1);
        const form = keyText(long);
        expect(keyText(short)).to.not.equal(form);
        // The form itself as an id (a line may give any text) is long: it gets a form of its own.
        expect(keyText(form)).to.not.equal(form);
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives a text with a NUL the long form, which holds none (ordered-binary keys split at NULs)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const k = keyText(`${a}\u0000\u0000${b}`);
        expect(k.includes('\u0000')).to.equal(false);
        expect(textBytes(k)).to.equal(KEY_TEXT_BYTES + 1);
      }),
      { numRuns: 500 },
    );
    expect(keyText('a\u0000b')).to.not.equal(keyText('a#b')).and.not.equal('a#b');
  });

  it('tells apart long ids that share their first KEY_TEXT_BYTES bytes', () => {
    const stem = 'turn-' + 'x'.repeat(KEY_TEXT_BYTES);
    const forms = new Set(['a', 'b', 'ab', ''].map((tail) => keyText(stem + tail)));
    expect(forms.size).to.equal(4);
  });
});
