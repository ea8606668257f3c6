import { expect } from 'chai';
import fc from 'fast-check';
import { jsonTextPieces } from '../../domain/jsonTextPieces.js';

describe('jsonTextPieces: JSON text in pieces that join to what JSON.stringify writes', () => {
  it('any JSON value, arrays cut every few elements', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 1, max: 5 }), (v, per) => {
        expect([...jsonTextPieces(v, per)].join('')).to.equal(JSON.stringify(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keys JSON.stringify leaves out (undefined, functions) are left out; a long array is cut into pieces', () => {
    const v = { a: undefined, b: [1, undefined, 3], c: () => 1, d: { e: Array.from({ length: 10 }, (_, i) => i / 3) } };
    const pieces = [...jsonTextPieces(v, 4)];
    expect(pieces.join('')).to.equal(JSON.stringify(v));
    expect(pieces.length, 'pieces').to.be.greaterThan(5);
    expect(Math.max(...pieces.map((p) => p.length))).to.be.lessThan(JSON.stringify(v).length / 2);
  });
});
