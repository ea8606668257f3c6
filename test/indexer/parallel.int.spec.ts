import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { shareOut } from '../../indexer/workers/workerPool.js';
import { collectingQuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action } from '../projections/synth.js';
import { right } from '../fixtures/right.js';

describe('parallel catch-up (worker threads)', function () {
  this.timeout(120_000);
  let home: string;
  let root: string;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-par-'));
    root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-par-'));
    for (let i = 0; i < 12; i++) {
      const t = newThread(900 + i, i % 3 === 0 ? 'legacy' : 'paginated');
      const p = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.mkdir(nodePath.dirname(p), { recursive: true });
      const lines = threadLines(t, 2 + (i % 4));
      if (i === 5) lines.splice(3, 0, 'not json at all');
      await fs.writeFile(p, lines.map((l) => l + '\n').join(''));
    }
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(root, { recursive: true, force: true });
  });

  const build = async (dir: string, workers: number) => {
    const s = right(await openLmdbIndex(dir)());
    try {
      const sink = collectingQuarantineSink();
      const summary = right(
        await catchUpHome(s, home, {
          quarantine: sink,
          batchLines: 9,
          workers: { count: workers, indexPath: dir, fromBytes: 0 },
        })(),
      );
      return { summary, records: sink.records, dump: JSON.stringify(right(await s.dump()())), s };
    } catch (e) {
      right(await s.close()());
      throw e;
    }
  };

  it('two workers build the same index as one thread, forward quarantine records, and a later tail catch-up agrees', async () => {
    const one = await build(nodePath.join(root, 'one'), 1);
    const two = await build(nodePath.join(root, 'two'), 2);
    try {
      expect(one.summary.workers).to.equal(0);
      expect(two.summary.workers).to.equal(2);
      expect(two.dump).to.equal(one.dump);
      const { seconds: _a, workers: _w, ...counts1 } = one.summary;
      const { seconds: _b, workers: _v, ...counts2 } = two.summary;
      expect(counts2).to.deep.equal(counts1);
      expect(two.records.map((r) => [r.byteOffset, r.reason])).to.deep.equal(
        one.records.map((r) => [r.byteOffset, r.reason]),
      );
      expect(two.records).to.have.length(1);
      // Appends, then a parallel catch-up of the tails only.
      const t = newThread(901);
      t.n = 1_000;
      const p = nodePath.join(home, rolloutRelPath(t.threadId));
      await fs.appendFile(
        p,
        ['startTurn', 'user', 'agent', 'complete']
          .flatMap((x) => act(t, x as Action))
          .map((l) => l + '\n')
          .join(''),
      );
      const again = right(
        await catchUpHome(two.s, home, {
          workers: { count: 2, indexPath: nodePath.join(root, 'two'), fromBytes: 0 },
        })(),
      );
      expect(again).to.deep.include({ tailed: 1, unchanged: 11 });
      right(await catchUpHome(one.s, home)());
      expect(JSON.stringify(right(await two.s.dump()()))).to.equal(JSON.stringify(right(await one.s.dump()())));
    } finally {
      right(await one.s.close()());
      right(await two.s.close()());
    }
  });

  it('shares are balanced by bytes to read and keep the plan order', () => {
    const f = (path: string, size: number) => ({
      probe: { file: { path }, size } as never,
      action: { kind: 'index' as const, from: undefined, resetRollouts: [], counted: 'indexed' as const },
    });
    const plan = [f('a', 10), f('b', 100), f('c', 40), f('d', 60), f('e', 5)];
    const shares = shareOut(plan, 2);
    expect(shares.map((s) => s.map((x) => (x.probe as { file: { path: string } }).file.path))).to.deep.equal([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
  });
});
