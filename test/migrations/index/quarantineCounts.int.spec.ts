import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { quarantinedInIndex } from '../../../indexer/verify/quarantined.js';
import { openLmdbIndex } from '../../../adapters/driven/lmdb/indexStore.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import { addQuarantineCounts } from '../../../migrations/index/008-quarantine-counts.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

const A = '01a1fe84-0000-7000-8000-0000000000c1';
const B = '01a1fe84-0000-7000-8000-0000000000c2';

describe('schema 7 → 8: quarantineCounts, a row per rollout with quarantined lines', () => {
  const tmp = useTempDir('quarantine-counts-');

  it('the index keeps it with the rows, and the in-place step derives it from the rollout rows', async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    // A: two lines no read can use (not JSON, not a rollout line) between good ones; B: none.
    const lines = chatThread('paginated', A, 2).text().split('\n');
    lines.splice(3, 0, '{"timestamp":"2026-11-21T14:00:00.000Z","type":', 'not json at all');
    writeRollout(home, rolloutName(A), lines.join('\n'));
    writeRollout(home, rolloutName(B), chatThread('paginated', B, 1).text());
    const dir = nodePath.join(tmp(), 'index');

    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    expect(right(await built.range('quarantineCounts', [])())).to.deep.equal([{ key: [A], value: 2 }]);
    expect(built.reader.get('rollouts', [A])?.invalidLines).to.equal(2);
    expect(right(await quarantinedInIndex(built)())).to.deep.equal({ lines: 2, files: 1 });
    const fresh = right(await built.dump()());
    // The same index as schema 7 wrote it: no quarantineCounts rows.
    right(
      await built.commit(() => [
        { op: 'del', table: 'quarantineCounts', key: [A] },
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 7 },
      ])(),
    );
    // The step as a 7 → 8 migration runs it (later versions may rebuild, so it is run here directly).
    right(
      await built.commit((reader) => [
        ...addQuarantineCounts(reader),
        { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SCHEMA_VERSION },
      ])(),
    );
    expect(right(await built.dump()())).to.deep.equal(fresh);
    right(await built.close()());
    // And a rebuild from the files gives the same table.
    const rebuilt = right(await openLmdbIndex(nodePath.join(tmp(), 'again'))());
    try {
      right(await catchUpHome(rebuilt, home)());
      expect(right(await rebuilt.range('quarantineCounts', [])())).to.deep.equal([{ key: [A], value: 2 }]);
    } finally {
      right(await rebuilt.close()());
    }
  });
});
