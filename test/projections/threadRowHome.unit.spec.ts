import { expect } from 'chai';
import { rowNameOf, stateDbNamesChanged, threadNamesOf } from '../../projections/threadRowHome.js';
import type { ThreadRowHome } from '../../projections/threadRowHome.js';

describe("a thread row's names (projections/threadRowHome.ts)", () => {
  const home = (stateDbNames: ReadonlyMap<string, string> | null): ThreadRowHome => ({
    names: new Map([['a', 'from the index file']]),
    defaultModelProvider: 'openai',
    codexRows: new Map(),
    stateDbNames,
  });

  it("a paginated thread takes its DB row's name where the home has a DB (null where it holds none), a legacy one session_index.jsonl's", () => {
    expect(rowNameOf('paginated', threadNamesOf(home(null), 'a'))).to.equal('from the index file');
    expect(rowNameOf('paginated', threadNamesOf(home(new Map()), 'a'))).to.equal(null);
    expect(rowNameOf('paginated', threadNamesOf(home(new Map([['a', 'from the DB']])), 'a'))).to.equal('from the DB');
    expect(rowNameOf('legacy', threadNamesOf(home(new Map([['a', 'from the DB']])), 'a'))).to.equal(
      'from the index file',
    );
  });

  it('the threads whose DB name two readings differ on: gained, lost or changed, and no other', () => {
    const before = new Map([
      ['kept', 'k'],
      ['changed', 'c1'],
      ['lost', 'l'],
    ]);
    const now = new Map([
      ['kept', 'k'],
      ['changed', 'c2'],
      ['gained', 'g'],
    ]);
    expect([...stateDbNamesChanged(before, now)].sort()).to.deep.equal(['changed', 'gained', 'lost']);
    expect([...stateDbNamesChanged(now, now)]).to.deep.equal([]);
  });
});
