import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { portsOver } from '../../../adapters/driving/composition/openCodexHome.js';
import type { LmdbIndexStore } from '../../../adapters/driven/lmdb/indexStore.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { searchThreads } from '../../../replay/history/searchThreads.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const P = '01a1fe87-0000-7000-8000-0000000000e1';
const L = '01a1fe87-0000-7000-8000-0000000000e2';
const STEP = MIGRATIONS.find((m) => m.name === '015-search')!;
const SIX_GRAMS = MIGRATIONS.find((m) => m.name === '016-search-six-grams')!;
const LINE_SIGNATURES = MIGRATIONS.find((m) => m.name === '019-search-line-signatures')!;

describe('schema 14 → 15: the search tables (rebuild)', () => {
  const tmp = useTempDir('search-migration-');

  const answers = async (store: LmdbIndexStore, home: string) => {
    const ports = portsOver(store, home, {}).read;
    const out: unknown[] = [];
    for (const searchTerm of ['question', 'ANSWER 2', 'nothing like it'])
      out.push(right(await searchThreads(ports, { searchTerm })()));
    return out;
  };

  /** Reopened, the index is rebuilt: its rows are a fresh build's and it answers as before. */
  const expectRebuiltAsFresh = async (dir: string, home: string, fresh: unknown, kept: unknown): Promise<void> => {
    const reopened = right(await openIndex(dir, home)());
    try {
      expect(reopened.migrated).to.equal('rebuilt');
      expect(right(await reopened.store.dump()())).to.deep.equal(fresh);
      expect(await answers(reopened.store, home)).to.deep.equal(kept);
    } finally {
      right(await reopened.store.close()());
    }
  };

  /** An index whose `tables` are emptied, marked schema `from`, answers otherwise; reopened, it is rebuilt as a fresh one. */
  const expectRebuiltWithout = async (
    name: string,
    tables: ReadonlyArray<'searchText' | 'searchGrams' | 'searchLines'>,
    from: number,
  ): Promise<void> => {
    const home = nodePath.join(tmp(), `home-${name}`);
    await fs.mkdir(home);
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(home, rolloutName(L), chatThread('legacy', L, 2).text());
    const dir = nodePath.join(tmp(), `index-${name}`);
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const fresh = right(await built.dump()());
    const kept = await answers(built, home);
    expect(JSON.stringify(kept)).to.include('answer 2');
    const dropped: IndexWrite[] = [];
    for (const table of tables)
      for (const r of right(await built.range(table, [])()))
        dropped.push({ op: 'del', table, key: r.key as ReadonlyArray<string | number> });
    expect(dropped.length).to.be.greaterThan(tables.length);
    right(
      await built.commit(() => [...dropped, { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: from }])(),
    );
    expect(await answers(built, home)).to.not.deep.equal(kept);
    right(await built.close()());
    await expectRebuiltAsFresh(dir, home, fresh, kept);
  };

  it('an index of schema 14 (no search rows) is rebuilt, and then finds what a fresh index finds', async () => {
    expect(STEP.kind).to.equal('rebuild');
    // What schema 14 had: no search rows.
    await expectRebuiltWithout('15', ['searchText', 'searchGrams'], STEP.from);
  });

  it('schema 15 → 16: signatures without six-grams (stood in for by empty ones, which rule out every file) are rebuilt', async () => {
    expect(SIX_GRAMS).to.include({ from: 15, to: 16, kind: 'rebuild' });
    const home = nodePath.join(tmp(), 'home16');
    await fs.mkdir(home);
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 3).text());
    const dir = nodePath.join(tmp(), 'index16');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const fresh = right(await built.dump()());
    const kept = await answers(built, home);
    const stale: IndexWrite[] = right(await built.range('searchGrams', [])()).map((r) => ({
      op: 'put',
      table: 'searchGrams',
      key: r.key as ReadonlyArray<string>,
      value: new Uint8Array(r.value.length),
    }));
    right(
      await built.commit(() => [
        ...stale,
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SIX_GRAMS.from },
      ])(),
    );
    expect(await answers(built, home)).to.not.deep.equal(kept);
    right(await built.close()());
    await expectRebuiltAsFresh(dir, home, fresh, kept);
  });

  it('schema 18 → 19: an index without line signatures (a search reads only the lines they let through) is rebuilt', async () => {
    expect(LINE_SIGNATURES).to.include({ from: 18, to: 19, kind: 'rebuild' });
    await expectRebuiltWithout('19', ['searchLines'], LINE_SIGNATURES.from);
  });
});
