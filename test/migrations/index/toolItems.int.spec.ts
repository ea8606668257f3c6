import { expect } from 'chai';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { buildToolItemHome } from '../../fixtures/toolItemHome.js';

const STEP = MIGRATIONS.find((m) => m.name === '017-tool-items')!;

describe('schema 16 → 17: the toolItems table (rebuild)', () => {
  const tmp = useTempDir('tool-items-migration-');

  it('an index of schema 15 (no tool item rows) is rebuilt and then holds what a fresh index holds', async () => {
    expect(STEP.kind).to.equal('rebuild');
    const home = nodePath.join(tmp(), 'home');
    await buildToolItemHome(home);
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const fresh = right(await built.dump()());
    const rows = right(await built.range('toolItems', [])());
    expect(rows.map((r) => r.value.itemId)).to.deep.equal([
      'call_ls',
      'call_fail',
      'call_patch',
      'call_patch_declined',
      'call_mcp',
      'call_mcp_err',
      'ws_1',
    ]);
    const dropped: IndexWrite[] = rows.map((r) => ({
      op: 'del',
      table: 'toolItems',
      key: r.key as ReadonlyArray<string | number>,
    }));
    right(
      await built.commit(() => [
        ...dropped,
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: STEP.from },
      ])(),
    );
    right(await built.close()());

    const reopened = right(await openIndex(dir, home)());
    try {
      expect(reopened.migrated).to.equal('rebuilt');
      expect(right(await reopened.store.dump()())).to.deep.equal(fresh);
    } finally {
      right(await reopened.store.close()());
    }
  });
});
