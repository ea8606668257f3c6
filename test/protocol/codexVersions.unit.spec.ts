// The version declarations both `serve` and the CLI read (protocol/codexVersions.ts), and the CLI's
// reading of them (`spokenAs`): a method, a param and a result field added in a version are
// unknown, refused and left out below it, and there as they are from it on.
import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { paramsAt, resultAt, unspokenParams } from '../../protocol/codexVersions.js';
import type { Versioned } from '../../protocol/codexVersions.js';
import { spokenAs } from '../../adapters/driving/cli/codexVersionOption.js';

/** An entry with one delta of each kind `resultAt` and `paramsAt` read (a made-up method: the real ones declare what Codex changed). */
const ENTRY: Versioned & { readonly name: string } = {
  name: 'made/up',
  deltas: [
    { kind: 'paramAdded', since: '0.171.0', param: 'newParam', source: 'test' },
    { kind: 'resultFieldAdded', since: '0.171.0', field: 'newField', source: 'test' },
  ],
};
const ADDED: Versioned & { readonly name: string } = {
  name: 'made/new',
  deltas: [{ kind: 'methodAdded', since: '0.171.0', source: 'test' }],
};

describe('protocol/codexVersions: what a version has of a method, read by serve and the CLI alike', () => {
  it('a result field added in 0.171.0 is left out at 0.169.0 and kept at 0.171.0; other fields and non-object results are untouched', () => {
    const result = { newField: 'x', old: 1 };
    expect(resultAt(ENTRY, '0.169.0', result)).to.deep.equal({ old: 1 });
    expect(resultAt(ENTRY, '0.171.0', result)).to.deep.equal(result);
    expect(result, 'not changed in place').to.deep.equal({ newField: 'x', old: 1 });
    expect(resultAt(ENTRY, '0.169.0', null)).to.equal(null);
    expect(resultAt({ deltas: [] }, '0.169.0', result)).to.equal(result);
  });

  it('a param added in 0.171.0 that is set is unspoken at 0.169.0 (and dropped by paramsAt), spoken at 0.171.0; one not set is nothing', () => {
    expect(unspokenParams(ENTRY, '0.169.0', { newParam: [], other: 1 })).to.deep.equal(['newParam']);
    expect(unspokenParams(ENTRY, '0.169.0', { newParam: null })).to.deep.equal(['newParam']);
    expect(unspokenParams(ENTRY, '0.169.0', { newParam: undefined, other: 1 })).to.deep.equal([]);
    expect(unspokenParams(ENTRY, '0.171.0', { newParam: [] })).to.deep.equal([]);
    expect(paramsAt(ENTRY, '0.169.0', { newParam: [], other: 1 })).to.deep.equal({ other: 1 });
  });

  it("the CLI's spokenAs: --codex-version beats ROLLOUT_ENGINE_CODEX_VERSION, a version not spoken, a method or an option's param the version lacks are refused, the result shaped as resultAt shapes it", () => {
    const saved = process.env['ROLLOUT_ENGINE_CODEX_VERSION'];
    try {
      process.env['ROLLOUT_ENGINE_CODEX_VERSION'] = '0.169.0';
      const byEnv = spokenAs(ENTRY, {}, {}, {});
      expect(E.isRight(byEnv) && byEnv.right.version).to.equal('0.169.0');
      const byOption = spokenAs(ENTRY, { codexVersion: '0.171.0' }, { newParam: 1 }, { newParam: '--new' });
      expect(E.isRight(byOption) && byOption.right.answerAt({ newField: 1, old: 2 })).to.deep.equal({
        newField: 1,
        old: 2,
      });
      const old = spokenAs(ENTRY, { codexVersion: '0.169.0' }, {}, {});
      expect(E.isRight(old) && old.right.answerAt({ newField: 1, old: 2 })).to.deep.equal({ old: 2 });
      expect(spokenAs(ENTRY, { codexVersion: '0.169.0' }, { newParam: 1 }, { newParam: '--new' })).to.deep.equal(
        E.left({
          _tag: 'InvalidArgument',
          field: '--new',
          reason: 'Codex 0.169.0 has no param newParam (--codex-version)',
        }),
      );
      expect(spokenAs(ADDED, { codexVersion: '0.169.0' }, {}, {})).to.deep.equal(
        E.left({ _tag: 'InvalidArgument', field: '--codex-version', reason: 'Codex 0.169.0 has no method made/new' }),
      );
      expect(E.isRight(spokenAs(ADDED, { codexVersion: '0.171.0' }, {}, {}))).to.equal(true);
      expect(spokenAs(ENTRY, { codexVersion: '1.0.0' }, {}, {})).to.deep.equal(
        E.left({
          _tag: 'InvalidArgument',
          field: '--codex-version',
          reason: 'Codex 1.0.0 is not a version this engine speaks (0.169.0, 0.171.0)',
        }),
      );
    } finally {
      if (saved === undefined) delete process.env['ROLLOUT_ENGINE_CODEX_VERSION'];
      else process.env['ROLLOUT_ENGINE_CODEX_VERSION'] = saved;
    }
  });
});
