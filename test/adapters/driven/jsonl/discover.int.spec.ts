import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { discoverRolloutFiles } from '../../../../adapters/driven/jsonl/home/discover.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { FEW_HIDDEN_CLASSES, hiddenClasses } from '../../../fixtures/hiddenClasses.js';

const T1 = '01a1fe84-e393-7df3-89c1-fe2af51ed21c';
const R1 = '01a1fe84-e7b0-7381-9b82-8448801fa88d';
const T2 = '01a1fe84-e9da-76e1-b017-222644103882';
const T3 = '01a1fe84-bdb0-7260-b7c8-794e23279a06';

describe('jsonl discover', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('jsonl-discover-');

  const touch = async (rel: string) => {
    const p = nodePath.join(homeOf(), rel);
    await fs.mkdir(nodePath.dirname(p), { recursive: true });
    await fs.writeFile(p, '');
  };

  it('finds sessions/** and flat archived_sessions rollouts, parses names, ignores the rest, in a fixed order', async () => {
    const day2 = `sessions/2026/11/22`;
    const day1 = `sessions/2026/11/21`;
    await touch(`${day2}/rollout-2026-11-22T08-00-00-${T2}.jsonl`);
    await touch(`${day1}/rollout-2026-11-21T14-31-25-${T1}_${R1}.jsonl`);
    await touch(`${day1}/rollout-2026-11-21T14-31-24-${T1}.jsonl`);
    await touch(`${day1}/rollout-2026-11-21T14-31-24-${T1}.jsonl.lock`);
    await touch(`${day1}/notes.txt`);
    await touch(`${day1}/rollout-garbage.jsonl`);
    await touch(`archived_sessions/rollout-2026-11-20T10-00-00-${T3}.jsonl`);
    await touch(`archived_sessions/nested/rollout-2026-11-20T10-00-00-${T2}.jsonl`); // archive is flat
    await touch(`session_index.jsonl`);

    const found = await discoverRolloutFiles(homeOf())();
    // Each file carries the home it was listed in: its reads check no folder below it became a link.
    expect(found).to.deep.equal(
      E.right([
        {
          path: nodePath.join(homeOf(), `${day1}/rollout-2026-11-21T14-31-24-${T1}.jsonl`),
          archived: false,
          fileTimestamp: '2026-11-21T14:31:24Z',
          threadId: T1,
          root: homeOf(),
        },
        {
          path: nodePath.join(homeOf(), `${day1}/rollout-2026-11-21T14-31-25-${T1}_${R1}.jsonl`),
          archived: false,
          fileTimestamp: '2026-11-21T14:31:25Z',
          threadId: T1,
          root: homeOf(),
          revisionId: R1,
        },
        {
          path: nodePath.join(homeOf(), `${day2}/rollout-2026-11-22T08-00-00-${T2}.jsonl`),
          archived: false,
          fileTimestamp: '2026-11-22T08:00:00Z',
          threadId: T2,
          root: homeOf(),
        },
        {
          path: nodePath.join(homeOf(), `archived_sessions/rollout-2026-11-20T10-00-00-${T3}.jsonl`),
          archived: true,
          fileTimestamp: '2026-11-20T10:00:00Z',
          threadId: T3,
          root: homeOf(),
        },
      ]),
    );
  });

  it('is empty for a home without sessions folders', async () => {
    const empty = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'jsonl-discover-empty-'));
    try {
      expect(await discoverRolloutFiles(empty)()).to.deep.equal(E.right([]));
      expect(await discoverRolloutFiles(nodePath.join(empty, 'missing'))()).to.deep.equal(E.right([]));
    } finally {
      await fs.rm(empty, { recursive: true, force: true });
    }
  });

  it('lists 10,000 files over 100 day folders, all of them, in path order (speed is measured by the index benches, not here)', async () => {
    const big = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'jsonl-discover-big-'));
    try {
      for (let d = 0; d < 100; d++) {
        const dayDir = nodePath.join(
          big,
          'sessions',
          '2026',
          String(1 + Math.floor(d / 28)).padStart(2, '0'),
          String(1 + (d % 28)).padStart(2, '0'),
        );
        await fs.mkdir(dayDir, { recursive: true });
        await Promise.all(
          Array.from({ length: 100 }, (_, i) => {
            const id = `01a1fe84-${String(d).padStart(4, '0')}-7000-8000-${String(i).padStart(12, '0')}`;
            return fs.writeFile(
              nodePath.join(dayDir, `rollout-2026-01-01T00-00-${String(i % 60).padStart(2, '0')}-${id}.jsonl`),
              '',
            );
          }),
        );
      }
      const found = await discoverRolloutFiles(big)();
      expect(E.isRight(found) && found.right.length).to.equal(10_000);
      const paths = E.isRight(found) ? found.right.map((f) => f.path) : [];
      expect(paths).to.deep.equal([...paths].sort());
    } finally {
      await fs.rm(big, { recursive: true, force: true });
    }
  });

  it('lists revision files as objects of one hidden class (a catch-up holds one a file of the home)', async () => {
    const day = `sessions/2026/10/01`;
    for (let n = 0; n < 40; n++)
      await touch(
        `${day}/rollout-2026-10-01T14-31-${String(n).padStart(2, '0')}-${T1}_${R1.slice(0, -2)}${String(n).padStart(2, '0')}.jsonl`,
      );
    const found = await discoverRolloutFiles(homeOf())();
    if (E.isLeft(found)) throw new Error(JSON.stringify(found.left));
    const revisions = found.right.filter((f) => f.revisionId !== undefined && f.path.includes(day));
    expect(revisions).to.have.length(40);
    expect(hiddenClasses(revisions)).to.be.at.most(FEW_HIDDEN_CLASSES);
  });
});
