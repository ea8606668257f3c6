import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { decodeShape } from '../../domain/decodeShape.js';
import { serdeUnitEnum, serdeUnitMapName } from '../../domain/serdeUnitEnum.js';

const Reason = serdeUnitEnum(t.keyof({ interrupted: null, replaced: null }));
const Phase = t.partial({ phase: serdeUnitEnum(t.unknown) });

describe('serdeUnitEnum (serde reads a unit variant from its name or a one-key map of it)', () => {
  it('names the variant of a one-key map whose value is null, and of nothing else', () => {
    expect(serdeUnitMapName({ interrupted: null })).to.equal('interrupted');
    expect(serdeUnitMapName({ unknown_x: null })).to.equal('unknown_x');
    for (const v of ['interrupted', null, undefined, 1, [], {}, { a: 1 }, { a: null, b: null }, [null]])
      expect(serdeUnitMapName(v), JSON.stringify(v)).to.equal(undefined);
  });

  it('reads a name as it is (the same value, the allocation-free test) and a map of a name as the name', () => {
    const name = 'interrupted';
    expect(Reason.is(name)).to.equal(true);
    expect(decodeShape(Reason, name)).to.deep.equal(E.right(name));
    expect(Reason.is({ interrupted: null })).to.equal(false);
    expect(decodeShape(Reason, { interrupted: null })).to.deep.equal(E.right('interrupted'));
  });

  it('refuses an unknown name, in either form, and a known key with a value', () => {
    for (const v of ['unknown', { unknown: null }, { interrupted: 1 }, { interrupted: null, replaced: null }, {}])
      expect(E.isLeft(decodeShape(Reason, v)), JSON.stringify(v)).to.equal(true);
  });

  it('over a codec that reads anything, keeps every value but a map form, which it reads as the name', () => {
    const line = { phase: { commentary: 1 } };
    expect(decodeShape(Phase, line)).to.deep.equal(E.right(line));
    expect(decodeShape(Phase, { phase: 'unknown_phase' })).to.deep.equal(E.right({ phase: 'unknown_phase' }));
    expect(decodeShape(Phase, { phase: { final_answer: null } })).to.deep.equal(E.right({ phase: 'final_answer' }));
  });
});
