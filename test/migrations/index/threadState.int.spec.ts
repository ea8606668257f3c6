import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../replay/mutationHome.js';

/** Found by what it adds: its number may change as other steps land. */
const STEP = MIGRATIONS.find((m) => m.name.endsWith('-thread-state'))!;

describe('schema step thread-state: a new table folded from the engine’s log, nothing rewritten', () => {
  const tmp = useTempDir('thread-state-step-');

  it('an index of the version before opens in place, its rows unchanged', async () => {
    expect(STEP.kind).to.equal('inPlace');
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    writeRollout(
      home,
      rolloutName('dddddddd-0000-7000-8000-0000000000a1'),
      chatThread('paginated', 'dddddddd-0000-7000-8000-0000000000a1', 2).text(),
    );
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const rows = right(await built.dump()());
    right(await built.commit(() => [{ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: STEP.from }])());
    right(await built.close()());
    const opened = right(await openIndex(dir, home, { migrations: [STEP], target: STEP.to })());
    try {
      expect(opened.migrated).to.equal('steps');
      expect(right(await opened.store.dump()())).to.deep.equal(rows);
    } finally {
      right(await opened.store.close()());
    }
  });
});
