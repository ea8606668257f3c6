import { expect } from 'chai';
import fc from 'fast-check';
import { JsonTooDeep, SERDE_MAX_DEPTH, nestedDeeperThan, parseJson } from '../../domain/jsonNesting.js';

/** The nesting of a parsed value: a container one level more than its deepest member. */
const depthOf = (v: unknown): number =>
  typeof v === 'object' && v !== null ? 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf)) : 0;

describe('nestedDeeperThan', () => {
  it('property: a JSON text is found deeper than max exactly when its value nests deeper (brackets inside strings ignored)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (v, max) => {
        const text = JSON.stringify(v);
        expect(nestedDeeperThan(text, max) >= 0).to.equal(depthOf(v) > max);
      }),
      { numRuns: 2_000 },
    );
  });

  it("serde_json's 127 levels pass, the 128th is found at its bracket, 100,000 levels without recursion", () => {
    expect(nestedDeeperThan(`${'['.repeat(SERDE_MAX_DEPTH)}${']'.repeat(SERDE_MAX_DEPTH)}`)).to.equal(-1);
    expect(nestedDeeperThan(`${'['.repeat(SERDE_MAX_DEPTH + 1)}${']'.repeat(SERDE_MAX_DEPTH + 1)}`)).to.equal(
      SERDE_MAX_DEPTH,
    );
    expect(nestedDeeperThan(`{"a":"${'['.repeat(1_000)}\\"${'{'.repeat(1_000)}"}`)).to.equal(-1);
    expect(nestedDeeperThan('['.repeat(100_000))).to.equal(SERDE_MAX_DEPTH);
  });
});

describe('parseJson', () => {
  it("parses what JSON.parse parses up to serde_json's 127 levels, and throws JsonTooDeep (a SyntaxError) past them", () => {
    const nested = (n: number): string => `${'{"a":['.repeat(n)}1${']}'.repeat(n)}`;
    expect(parseJson(nested(SERDE_MAX_DEPTH / 2 - 0.5))).to.deep.equal(JSON.parse(nested(SERDE_MAX_DEPTH / 2 - 0.5)));
    expect(() => parseJson(nested(64))).to.throw(JsonTooDeep);
    expect(() => parseJson(nested(64))).to.throw(SyntaxError, /nested deeper than 127 levels/);
    // A few KB of brackets, as the finding planted in a token_count line.
    expect(() => parseJson(`{"x":${'['.repeat(3_000)}${']'.repeat(3_000)}}`)).to.throw(JsonTooDeep);
    // Brackets inside strings are text, however many.
    expect(parseJson(JSON.stringify({ s: '['.repeat(3_000) }))).to.deep.equal({ s: '['.repeat(3_000) });
    expect(() => parseJson('{not json')).to.throw(SyntaxError);
  });
});
