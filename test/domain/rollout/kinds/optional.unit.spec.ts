import { expect } from 'chai';
import * as fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { optional } from '../../../../domain/rollout/kinds/common.js';

/** What a decoder gives: its value, or its errors as io-ts reports them. */
const outcome = (d: t.Decoder<unknown, unknown>, u: unknown): unknown => {
  const r = d.decode(u);
  return E.isRight(r) ? { right: r.right } : { left: PathReporter.report(r) };
};

const CODECS: ReadonlyArray<readonly [string, t.Mixed]> = [
  ['string', t.string],
  ['number', t.number],
  ['array of strings', t.array(t.string)],
  ['object', t.type({ a: t.string, b: optional(t.number) })],
  ['literals', t.union([t.literal('asc'), t.literal('desc')])],
  ['unknown (takes null and undefined itself)', t.unknown],
  ['nullable (takes null itself)', t.union([t.string, t.null])],
];

describe('optional: T | null | undefined', () => {
  for (const [name, c] of CODECS)
    it(`decodes as io-ts's union of ${name}, null and undefined: same values, same errors`, () => {
      const union = t.union([c, t.null, t.undefined]);
      const o = optional(c);
      expect(o.name).to.equal(union.name);
      fc.assert(
        fc.property(fc.oneof(fc.anything(), fc.constant(null), fc.constant(undefined)), (u) => {
          expect(outcome(o, u)).to.deep.equal(outcome(union, u));
          expect(o.is(u)).to.equal(union.is(u));
        }),
      );
      // Inside a partial (a request's params): absent, null and wrong fields alike.
      for (const params of [{}, { f: null }, { f: 7 }, { f: 'x' }, { f: ['x'] }, { f: { a: 'x' } }, { g: 1 }])
        expect(outcome(t.partial({ f: o }), params)).to.deep.equal(outcome(t.partial({ f: union }), params));
    });
});
