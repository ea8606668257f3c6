import { expect } from 'chai';
import fc from 'fast-check';
import { namesChanged, rowNameOf, threadNamesOf, threadsRenamed } from '../../projections/threadRowHome.js';
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
    expect([...namesChanged(before, now)].sort()).to.deep.equal(['changed', 'gained', 'lost']);
    expect([...namesChanged(now, now)]).to.deep.equal([]);
  });

  it('a thread the names of two readings do not move keeps its row name and session_index.jsonl name (threadsRenamed)', () => {
    const ids = fc.constantFrom('a', 'b', 'c', 'd');
    const names = fc.dictionary(ids, fc.constantFrom('x', 'y')).map((o) => new Map(Object.entries(o)));
    const reading = fc.record({ names, stateDbNames: fc.option(names, { nil: null }) });
    fc.assert(
      fc.property(reading, reading, (before, now) => {
        const moved = threadsRenamed(before, now);
        const of = (r: typeof before) => ({ ...r, defaultModelProvider: 'openai', codexRows: new Map() });
        for (const id of ['a', 'b', 'c', 'd'])
          for (const mode of ['paginated', 'legacy'])
            if (!moved.has(id)) {
              const [b, n] = [threadNamesOf(of(before), id), threadNamesOf(of(now), id)];
              expect(rowNameOf(mode, n)).to.equal(rowNameOf(mode, b));
              expect(n.sessionIndex).to.equal(b.sessionIndex);
            }
      }),
    );
    // A DB made since: every named thread, its paginated name moves.
    const named = { names: new Map([['a', 'x']]), stateDbNames: null };
    expect([...threadsRenamed(named, { ...named, stateDbNames: new Map([['b', 'y']]) })].sort()).to.deep.equal([
      'a',
      'b',
    ]);
  });
});
