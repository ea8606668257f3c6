import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { repairIndex } from '../../indexer/verify/repair.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { THREAD_ORDER_KEYS } from '../../domain/index/rows.js';
import { CLI } from '../fixtures/cliBundle.js';

const run = promisify(execFile);

const writeThread = async (home: string, rel: string, lines: string[]): Promise<string> => {
  const p = nodePath.join(home, rel);
  await fs.mkdir(nodePath.dirname(p), { recursive: true });
  await fs.writeFile(p, lines.map((l) => l + '\n').join(''));
  return p;
};

describe('index verify / repair / CLI', function () {
  this.timeout(120_000);
  let home: string;

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-v-'));
    const a = newThread(21);
    const b = newThread(22, 'legacy');
    await writeThread(home, rolloutRelPath(a.threadId), threadLines(a, 3));
    const lb = threadLines(b, 2);
    lb.push(...act(b, 'startTurn'), ...act(b, 'user'), ...act(b, 'abort'));
    await writeThread(home, rolloutRelPath(b.threadId), lb);
  });
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  it('verify lists rows that differ from a fresh fold; repair re-indexes them', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-v-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      // Enough other threads that the damaged one is a small share of the home (repaired in place).
      for (const seed of [23, 24, 25, 26])
        await writeThread(home, rolloutRelPath(newThread(seed).threadId), threadLines(newThread(seed), 3));
      right(await catchUpHome(store, home)());
      expect(right(await verifyIndex(store, home)()).diffs).to.deep.equal([]);
      // Damage: drop one turn row, change another, add a stray item.
      const turns = right(await store.range('turns', [newThread(21).threadId])());
      right(
        await store.commit(() => [
          { op: 'del', table: 'turns', key: turns[0]!.key },
          { op: 'put', table: 'turns', key: turns[1]!.key, value: { ...turns[1]!.value, status: 'failed' } },
          { op: 'put', table: 'items', key: ['nobody', 3], value: { turnId: 'x' } },
        ])(),
      );
      const report = right(await verifyIndex(store, home)());
      expect(report.diffs.map((d) => [d.kind, d.table])).to.have.deep.members([
        ['missing', 'turns'],
        ['different', 'turns'],
        ['extra', 'items'],
      ]);
      const repaired = right(await repairIndex(store, home, report.findings)());
      expect(repaired.strategy).to.equal('files');
      expect(repaired.rollouts).to.deep.equal([newThread(21).threadId, 'nobody']);
      expect(right(await verifyIndex(store, home)()).diffs).to.deep.equal([]);
    } finally {
      right(await store.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('verify finds list order keys that differ from the thread rows; repair puts them right', async () => {
    const dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-v-'));
    const store = right(await openLmdbIndex(dir)());
    try {
      right(await catchUpHome(store, home)());
      const a = newThread(21).threadId;
      const b = newThread(22).threadId;
      const keys = right(await store.range('threadOrder', [])()).map((r) => r.key);
      const ofA = keys.filter((k) => k[3] === a);
      expect(ofA.map((k) => k[1])).to.have.members([...THREAD_ORDER_KEYS]);
      // Damage: one key of A gone, a stale key of B (a sort time it no longer has).
      right(
        await store.commit(() => [
          { op: 'del', table: 'threadOrder', key: ofA[0]! },
          { op: 'put', table: 'threadOrder', key: [0, 'updated', 1, b], value: 0 },
        ])(),
      );
      const report = right(await verifyIndex(store, home)());
      expect(report.diffs.map((d) => [d.kind, d.table, d.key])).to.have.deep.members([
        ['missing', 'threadOrder', ofA[0]],
        ['extra', 'threadOrder', [0, 'updated', 1, b]],
      ]);
      right(await repairIndex(store, home, report.findings)());
      expect(right(await verifyIndex(store, home)()).diffs).to.deep.equal([]);
      expect(right(await store.range('threadOrder', [])()).map((r) => r.key)).to.deep.equal(keys);
    } finally {
      right(await store.close()());
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('rollout-engine index --json prints {files, bytes, lines, quarantined, seconds}; verify exits 0; --rebuild swaps', async () => {
    const first = JSON.parse((await run('node', [CLI, 'index', '--codex-home', home, '--json'])).stdout);
    expect(Object.keys(first).slice(0, 5)).to.deep.equal(['files', 'bytes', 'lines', 'quarantined', 'seconds']);
    expect(first).to.deep.include({ files: 2, quarantined: 0, indexed: 2 });
    expect(first.bytes).to.be.greaterThan(1000);
    await fs.stat(nodePath.join(home, '.rollout-engine', 'index', 'data.mdb'));
    const again = JSON.parse((await run('node', [CLI, 'index', '--codex-home', home, '--json'])).stdout);
    expect(again).to.deep.include({ bytes: 0, lines: 0, unchanged: 2 });
    const verify = await run('node', [CLI, 'verify', '--codex-home', home]);
    expect(verify.stdout).to.match(/ 0 differences/);
    const rebuilt = JSON.parse((await run('node', [CLI, 'index', '--codex-home', home, '--rebuild', '--json'])).stdout);
    expect(rebuilt).to.deep.include({ files: 2, indexed: 2, lines: first.lines });
    expect((await fs.readdir(nodePath.join(home, '.rollout-engine'))).sort()).to.deep.equal(['index']);
  });
});
