import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { catchUpHome } from '../../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../../indexer/open/openIndex.js';
import { verifyIndex } from '../../../indexer/verify/verify.js';
import { SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../../adapters/driven/lmdb/schema.js';
import { addRolloutForks } from '../../../migrations/index/018-rollout-forks.js';
import { RolloutWriter, baseAfter, threeTurnRoot } from '../../fixtures/rolloutLines.js';
import { right } from '../../fixtures/right.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const ROOT = '01a1fe84-0000-7000-8000-0000000000d1';
const FORK = '01a1fe84-0000-7000-8000-0000000000d2';
const FORK2 = '01a1fe84-0000-7000-8000-0000000000d3';
const REV = '01a1fe84-0000-7000-8000-0000000000d4';
const day = 'sessions/2026/11/21';

describe('schema 17 → 18: rolloutForks, the forks and revisions based on each file', () => {
  const tmp = useTempDir('rollout-forks-');

  it('the index keeps it with the rollout rows (a fork of a fork, a revision; a deleted fork leaves it), and the in-place step derives it from them', async () => {
    const home = nodePath.join(tmp(), 'home');
    const write = async (rel: string, text: string) => {
      await fs.mkdir(nodePath.join(home, nodePath.dirname(rel)), { recursive: true });
      await fs.writeFile(nodePath.join(home, rel), text);
    };
    const { root, cut1, cutForRevert } = threeTurnRoot(ROOT);
    await write(`${day}/rollout-2026-11-21T14-00-00-${ROOT}.jsonl`, root.text());
    const fork = new RolloutWriter('paginated', FORK, {
      startOrdinal: cut1.end_ordinal_exclusive,
      startMs: root.nowMs() + 1000,
    });
    fork.sessionMeta({ forked_from_id: ROOT, history_base: cut1 });
    fork.chatTurn('f1', 'in the fork', 'F1');
    await write(`${day}/rollout-2026-11-21T14-01-00-${FORK}.jsonl`, fork.text());
    const fork2 = new RolloutWriter('paginated', FORK2, {
      startOrdinal: fork.nextOrdinal(),
      startMs: fork.nowMs() + 1000,
    });
    fork2.sessionMeta({ forked_from_id: FORK, history_base: baseAfter(fork, FORK) });
    fork2.chatTurn('g1', 'in the fork of the fork', 'G1');
    const fork2Path = `${day}/rollout-2026-11-21T14-02-00-${FORK2}.jsonl`;
    await write(fork2Path, fork2.text());
    const rev = new RolloutWriter('paginated', ROOT, {
      startOrdinal: cutForRevert.end_ordinal_exclusive,
      startMs: fork2.nowMs() + 1000,
    });
    rev.sessionMeta({ history_base: cutForRevert });
    rev.chatTurn('r1', 'after revert', 'RA1');
    await write(`${day}/rollout-2026-11-21T14-03-00-${ROOT}_${REV}.jsonl`, rev.text());

    const store = right(await openIndex(nodePath.join(tmp(), 'index'), home)()).store;
    try {
      right(await catchUpHome(store, home)());
      const expected = [
        { key: [ROOT, FORK], value: 0 },
        { key: [ROOT, REV], value: 0 },
        { key: [FORK, FORK2], value: 0 },
      ];
      expect(right(await store.range('rolloutForks', [])())).to.deep.equal(expected);
      expect(right(await verifyIndex(store, home)()).differences).to.equal(0);
      const fresh = right(await store.dump()());

      // The same index as schema 17 wrote it: no rolloutForks rows. The step as a 17 → 18 migration runs it.
      right(
        await store.commit(() => [
          ...expected.map((r) => ({ op: 'del' as const, table: 'rolloutForks' as const, key: r.key })),
          { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 17 },
        ])(),
      );
      expect(right(await verifyIndex(store, home)()).differences).to.equal(3);
      right(
        await store.commit((reader) => [
          ...addRolloutForks(reader),
          { op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SCHEMA_VERSION },
        ])(),
      );
      expect(right(await store.dump()())).to.deep.equal(fresh);

      // A fork whose file goes takes its entry along; its base's entries stay.
      await fs.rm(nodePath.join(home, fork2Path));
      right(await catchUpHome(store, home)());
      expect(right(await store.range('rolloutForks', [])())).to.deep.equal(expected.slice(0, 2));
      expect(right(await verifyIndex(store, home)()).differences).to.equal(0);
    } finally {
      right(await store.close()());
    }
  });
});
