import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../adapters/indexer/catchUp.js';
import { openIndex } from '../../../adapters/indexer/openIndex.js';
import { SCHEMA_VERSION_KEY } from '../../../adapters/lmdb/schema.js';
import { MIGRATIONS } from '../../../migrations/index/steps.js';
import { importedRolloutLines } from '../../fixtures/importedRollout.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const STEP = MIGRATIONS.find((m) => m.name === '019-imported-thread-preview')!;
const THREAD = '01a2067b-4179-7243-8a6d-dd42aba6d9d3';

/** A home holding one thread as Codex imports a session whose first message is two lines. */
const writeImportedHome = (home: string): void => {
  const dir = nodePath.join(home, 'sessions', '2026', '06', '03');
  fs.mkdirSync(dir, { recursive: true });
  const lines = importedRolloutLines(THREAD, home, ['Fix the parser\nthen the tests']);
  fs.writeFileSync(nodePath.join(dir, `rollout-2026-06-03T12-00-00-${THREAD}.jsonl`), lines.join('\n') + '\n');
};

describe("schema 18 → 19: an imported thread's preview is Codex's label (rebuild)", () => {
  const tmp = useTempDir('imported-preview-migration-');

  it('an index of schema 18 (the whole first message as preview) is rebuilt and then holds the label, as a fresh index does', async () => {
    expect(STEP.kind).to.equal('rebuild');
    const home = nodePath.join(tmp(), 'home');
    writeImportedHome(home);
    const dir = nodePath.join(tmp(), 'index');
    const built = right(await openIndex(dir, home)()).store;
    right(await catchUpHome(built, home)());
    const fresh = right(await built.dump()());
    expect(right(await built.get('threads', [THREAD])())?.preview).to.equal('Fix the parser');
    const [rollout] = right(await built.range('rollouts', [])());
    const old = { ...rollout!.value, preview: 'Fix the parser\nthen the tests' };
    right(
      await built.commit(() => [
        { op: 'put', table: 'rollouts', key: rollout!.key as ReadonlyArray<string>, value: old },
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
