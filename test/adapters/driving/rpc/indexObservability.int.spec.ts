import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openCodexHome } from '../../../../adapters/driving/composition/openCodexHome.js';
import { serverMetrics } from '../../../../adapters/driving/rpc/metrics.js';
import type { ServerMetrics } from '../../../../adapters/driving/rpc/metrics.js';
import { observedIndex } from '../../../../adapters/driving/rpc/observedIndex.js';
import { LEASE_KEY } from '../../../../adapters/driven/lmdb/schema.js';
import { jsonLog } from '../../../../adapters/driving/rpc/structuredLog.js';
import { act, newThread, rolloutRelPath, threadLines } from '../../../projections/synth.js';
import type { Action, SynthThread } from '../../../projections/synth.js';
import { right } from '../../../fixtures/right.js';

/** The value of one sample line of the Prometheus text (0 when absent). */
const sample = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
};

describe('serve: the index path is counted (/metrics) and logged (gate passes, read-repairs, catch-ups)', function () {
  this.timeout(120_000);
  let home: string;
  let indexDir: string;
  let metrics: ServerMetrics;
  let logged: Record<string, unknown>[];

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-obs-'));
    indexDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-obs-'));
    metrics = serverMetrics({ inFlight: () => 0, queued: () => 0 });
    logged = [];
  });
  afterEach(async () => {
    metrics.close();
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(indexDir, { recursive: true, force: true });
  });

  const writeThread = async (t: SynthThread, turns: number): Promise<string> => {
    const p = nodePath.join(home, rolloutRelPath(t.threadId));
    await fs.mkdir(nodePath.dirname(p), { recursive: true });
    await fs.writeFile(
      p,
      threadLines(t, turns)
        .map((l) => l + '\n')
        .join(''),
    );
    return p;
  };

  const open = () => {
    const log = jsonLog('debug', { write: (text: string) => logged.push(JSON.parse(text) as Record<string, unknown>) });
    return openCodexHome(home, indexDir, { observer: observedIndex(metrics, log) });
  };

  it('built, then backfilled; fresh, caughtUp, rescanned; a home-wide catch-up: each counted and one log line', async () => {
    const t = newThread(91);
    const p = await writeThread(t, 8);

    const first = right(await open());
    const refresh = async () => right(await first.read.indexer.refreshThread(t.threadId)());
    await refresh();
    await fs.appendFile(
      p,
      ['startTurn', 'user', 'agent', 'complete']
        .flatMap((x) => act(t, x as Action))
        .map((l) => l + '\n')
        .join(''),
    );
    await refresh();
    // A same-size rewrite past the first 4 KiB: only a scan repairs it.
    const bytes = await fs.readFile(p);
    const at = bytes.indexOf('"duration_ms":1000', 4096);
    expect(at).to.be.greaterThan(-1);
    bytes.write('"duration_ms":4321', at);
    await fs.writeFile(p, bytes);
    await refresh();
    right(await first.read.indexer.refreshAll()());
    await first.close();
    const second = right(await open());
    await second.close();

    const text = await metrics.text();
    const gate = (passing: string) => sample(text, `rollout_engine_backfill_gate_passes_total{passing="${passing}"}`);
    expect([gate('built'), gate('backfilled'), gate('files'), gate('tookOver'), gate('waited')]).to.deep.equal([
      1, 1, 0, 0, 0,
    ]);
    const repairs = (outcome: string) => sample(text, `rollout_engine_index_read_repairs_total{outcome="${outcome}"}`);
    expect([repairs('fresh'), repairs('caughtUp'), repairs('rescanned')]).to.deep.equal([1, 1, 1]);
    expect(
      sample(text, 'rollout_engine_index_catch_up_duration_seconds_count{kind="thread",outcome="rescanned"}'),
    ).to.equal(1);
    expect(sample(text, 'rollout_engine_index_catch_up_duration_seconds_count{kind="home",outcome="all"}')).to.equal(1);

    const lines = logged.map((l) => [l['level'], l['msg'], l['passing'] ?? l['freshness'] ?? l['files']]);
    expect(lines).to.deep.equal([
      ['info', 'backfill gate passed', 'built'],
      ['debug', 'thread read-repair', 'fresh'],
      ['info', 'thread read-repair', 'caughtUp'],
      ['info', 'thread read-repair', 'rescanned'],
      ['info', 'home caught up', 'all'],
      ['info', 'backfill gate passed', 'backfilled'],
    ]);
    expect(logged[1]).to.include({ threadId: t.threadId });
    expect(logged.every((l) => typeof l['time'] === 'string')).to.equal(true);
  });

  it('a gate that falls back to the files is counted and logged as a warning', async () => {
    await writeThread(newThread(92), 2);
    // Another live process holds the lease: this one waits 50 ms and answers from the files.
    const holder = right(await openCodexHome(home, indexDir, { backfill: 'onDemand' }));
    const lease = { owner: 'elsewhere:1:x', expiresAt: Date.now() + 60_000 };
    right(
      holder.store.transact('hold lease', (_r, write) =>
        write({ op: 'put', table: 'meta', key: [...LEASE_KEY], value: lease }),
      ),
    );
    await holder.close();
    const log = jsonLog('debug', { write: (text: string) => logged.push(JSON.parse(text) as Record<string, unknown>) });
    const opened = right(
      await openCodexHome(home, indexDir, { observer: observedIndex(metrics, log), gateWaitMs: 50 }),
    );
    await opened.close();
    expect(sample(await metrics.text(), 'rollout_engine_backfill_gate_passes_total{passing="files"}')).to.equal(1);
    expect(logged[0]).to.include({ level: 'warn', msg: 'backfill gate passed', passing: 'files' });
    // A time: the gate waited its bound (50 ms) before it passed; how much longer is the machine's.
    expect(logged[0]!['waitedMs']).to.be.at.least(50);
  });
});
