import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { quarantinedInIndex } from '../../../indexer/verify/quarantined.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import type { IndexWrite } from '../../../domain/index/rows.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const T = '01a1fe84-0000-7000-8000-0000000000c1';

describe('schema 13 → 14: event_msg / response_item lines without a tagged payload are quarantined', () => {
  const tmp = useTempDir('untagged-');

  it('an index of schema 13 (which passed them over) is rebuilt and counts them', async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    const at = '2026-11-21T14:00:09.000Z';
    const w = chatThread('legacy', T, 2);
    const bad = [
      JSON.stringify({ timestamp: at, type: 'event_msg', payload: 'x' }),
      JSON.stringify({ timestamp: at, type: 'event_msg', payload: { type: 5 } }),
      JSON.stringify({ timestamp: at, type: 'response_item', payload: null }),
      JSON.stringify({ timestamp: at, type: 'compacted', payload: 'x' }),
    ];
    writeRollout(home, rolloutName(T), `${w.text()}${bad.map((l) => `${l}\n`).join('')}`);
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    expect(right(await quarantinedInIndex(built)())).to.deep.equal({ lines: bad.length, files: 1 });
    // What schema 13 held: the lines counted nowhere.
    const asBefore: IndexWrite[] = [];
    for (const r of right(await built.range('quarantineCounts', [])()))
      asBefore.push({ op: 'del', table: 'quarantineCounts', key: r.key });
    for (const r of right(await built.range('rollouts', [])()))
      asBefore.push({ op: 'put', table: 'rollouts', key: r.key, value: { ...r.value, invalidLines: 0 } });
    right(
      await built.commit(() => [...asBefore, { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 13 }])(),
    );
    expect(right(await quarantinedInIndex(built)())).to.deep.equal({ lines: 0, files: 0 });
    right(await built.close()());

    const reopened = right(await openIndex(dir, home)());
    try {
      expect(reopened.migrated).to.equal('rebuilt');
      right(await catchUpHome(reopened.store, home)());
      expect(right(await quarantinedInIndex(reopened.store)())).to.deep.equal({ lines: bad.length, files: 1 });
    } finally {
      right(await reopened.store.close()());
    }
  });
});
