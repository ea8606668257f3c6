// Issue 51, finding 2: every request naming a thread id the index lacks rescanned the whole home,
// each on its own: 40 at once took `serve` to 4.4 GB and stalled its clients 75 s; 100 thread
// subscribes at once ran it out of heap. Expected: one home's scans run one at a time, unknown-id
// lookups share the one running (or just ended), and beyond a token bucket an unknown id is
// answered from the index without a scan (`indexer/reads/freshness.ts` `RescanPolicy`).
// Issue 68, finding 12: 40 unknown-id reads on 20,000 files took 30 s and 516 MB in 1 of 3 runs:
// each listed the home's 20,000 files on its own (looking for a file named for it), then shared
// the bucket's scans. Expected: with serve's home watch vouching for the home, an unknown id is
// answered once the watch's changes are caught up (`watchVouched`): no listing, no scan; before
// it vouches, lookups that meet a listing running share it (`indexer/reads/historyIndexer.ts`).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as nodePath from 'node:path';
import { ensureThreadFresh } from '../../indexer/reads/freshness.js';
import type { Freshness, RescanPolicy } from '../../indexer/reads/freshness.js';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { withIndex } from '../fixtures/openedIndex.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';
import { memoryOf, metricSample, spawnServe, writeHome, wsClient } from './servedHome.js';
import type { ServeChild } from './servedHome.js';

const figures = {
  concurrentLookups: 0,
  scansForThem: 0,
  sequentialLookups: 0,
  scansAfterBucket: 0,
  serveRequests: 0,
  serveRescans: 0,
  serveNotFound: 0,
  servePeakRssMB: 0,
  serveSeconds: 0,
  bigHomeFiles: 0,
  bigHomeReads: 0,
  bigHomeRescans: 0,
  bigHomeWatchVouched: 0,
  bigHomePeakRssMB: 0,
  bigHomeSeconds: 0,
};

/**
 * serve's peak on 20,000 indexed files answering 40 unknown ids: 119–128 MB without a listing or a
 * scan; the lookups that each listed the home and shared a scan peaked at 284–317 MB here (516 MB in
 * the adversarial run).
 */
const BIG_HOME_MAX_RSS_MB = 200;

const count = (outcomes: ReadonlyArray<Freshness>, f: Freshness): number => outcomes.filter((o) => o === f).length;

describe('reliability · unknown thread rescans: lookups of ids the index lacks share one scan of the home, rate-bounded', function () {
  this.timeout(300_000);
  const tmp = useTempDir('rescans-');
  const children: ServeChild[] = [];
  after(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    reportArea('unknown thread rescans', figures);
  });

  it('40 lookups of unknown ids at once: one scan; then one scan per bucket token, none beyond (a held clock)', async () => {
    const home = nodePath.join(tmp(), 'direct');
    writeHome(home, 50, 4);
    let now = 1_000_000;
    const policy: RescanPolicy = { burst: 4, refillMs: 60_000, reuseMs: 2_000, now: () => now };
    await withIndex(home, async (store) => {
      const lookup = async (): Promise<Freshness> =>
        right(await ensureThreadFresh(store, home, randomUUID(), {}, policy)()).freshness;
      const burst = await Promise.all(Array.from({ length: 40 }, lookup));
      figures.concurrentLookups = burst.length;
      figures.scansForThem = count(burst, 'rescanned');
      expect({ rescanned: figures.scansForThem, shared: count(burst, 'rescanShared') }).to.deep.equal({
        rescanned: 1,
        shared: 39,
      });

      // Within the reuse window: the last scan's result, no scan.
      expect(await lookup()).to.equal('rescanShared');
      // One after the other, each past the reuse window, the clock not reaching a refill: the three
      // tokens left, then none.
      const sequential: Freshness[] = [];
      for (let i = 0; i < 8; i++) {
        now += policy.reuseMs;
        sequential.push(await lookup());
      }
      figures.sequentialLookups = sequential.length;
      figures.scansAfterBucket = count(sequential, 'rescanned');
      expect(sequential).to.deep.equal(['rescanned', 'rescanned', 'rescanned', ...Array(5).fill('overRescanBudget')]);
      // A refill period later, one token back.
      now += policy.refillMs;
      expect(await lookup()).to.equal('rescanned');
      expect(await lookup()).to.equal('rescanShared');
    });
  });

  it('serve: 40 thread/read and 100 rolloutEngine/thread/subscribe of unknown ids at once: all answered not found without a scan (the home watch vouches)', async () => {
    const home = nodePath.join(tmp(), 'serve');
    writeHome(home, 400, 6);
    const serve = await spawnServe(home);
    children.push(serve);
    // Two clients: one connection may have 128 requests waiting (`--max-requests-per-connection`).
    const [reader, follower] = [await wsClient(serve.url), await wsClient(serve.url)];
    expect(await reader!.request('thread/list', {})).to.have.property('result');
    const t0 = Date.now();
    const answers = await Promise.all([
      ...Array.from({ length: 40 }, () => reader!.request('thread/read', { threadId: randomUUID() })),
      ...Array.from({ length: 100 }, () =>
        follower!.request('rolloutEngine/thread/subscribe', { threadId: randomUUID() }),
      ),
    ]);
    figures.serveSeconds = Math.round((Date.now() - t0) / 100) / 10;
    figures.serveRequests = answers.length;
    figures.serveNotFound = answers.filter((a) =>
      /not found|not loaded/i.test(String((a['error'] as { message?: unknown } | undefined)?.message)),
    ).length;
    figures.serveRescans = await metricSample(
      serve.url,
      'rollout_engine_index_read_repairs_total{outcome="rescanned"}',
    );
    figures.servePeakRssMB = memoryOf(serve.child.pid!).peakMB;
    for (const c of [reader!, follower!]) c.ws.close();
    expect(figures.serveNotFound, JSON.stringify(answers.slice(0, 2))).to.equal(answers.length);
    // The thread/list above waited for the start's catch-up, which vouched for the watch: no scan.
    expect(figures.serveRescans).to.equal(0);
  });

  it('serve on 20,000 indexed files: 40 thread/read of unknown ids at once are answered not found without a scan, serve under 200 MB', async () => {
    const home = nodePath.join(tmp(), 'big');
    writeHome(home, 20_000, 1);
    figures.bigHomeFiles = 20_000;
    const indexed = spawnSync(process.execPath, [ENGINE_CLI_PATH, 'index', '--codex-home', home, '--json'], {
      encoding: 'utf8',
    });
    expect(indexed.status, indexed.stderr).to.equal(0);
    const serve = await spawnServe(home);
    children.push(serve);
    const reader = await wsClient(serve.url);
    // Answered once the start's catch-up (a stat of every file) vouched for the home watch.
    expect(await reader.request('thread/list', { limit: 1 })).to.have.property('result');
    const t0 = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => reader.request('thread/read', { threadId: randomUUID() })),
    );
    figures.bigHomeSeconds = Math.round((Date.now() - t0) / 100) / 10;
    figures.bigHomeReads = answers.length;
    figures.bigHomeRescans = await metricSample(
      serve.url,
      'rollout_engine_index_read_repairs_total{outcome="rescanned"}',
    );
    figures.bigHomeWatchVouched = await metricSample(
      serve.url,
      'rollout_engine_index_read_repairs_total{outcome="watchVouched"}',
    );
    figures.bigHomePeakRssMB = memoryOf(serve.child.pid!).peakMB;
    reader.ws.close();
    const notFound = answers.filter((a) =>
      /not found|not loaded/i.test(String((a['error'] as { message?: unknown } | undefined)?.message)),
    ).length;
    expect(notFound, JSON.stringify(answers.slice(0, 2))).to.equal(40);
    expect({ rescans: figures.bigHomeRescans, watchVouched: figures.bigHomeWatchVouched }).to.deep.equal({
      rescans: 0,
      watchVouched: 40,
    });
    expect(figures.bigHomePeakRssMB).to.be.below(BIG_HOME_MAX_RSS_MB);
  });
});
