// Issue 68, finding 4: the live tail held a whole burst in memory. One look at a followed thread
// built every turn that landed since the last look (with a summary page of up to 100 turns per
// completed turn) and serialized all its notifications at once, before the 8 MiB outbox bound
// applied: a 50 MB burst grew `serve` by 315–330 MB, even for a subscriber that reads; 2,000 turns
// of 128 KiB took it to about 1 GB, and a reading subscriber had received nothing after 50 s.
// Expected: the tail built and sent a step at a time, paced by its followers, so what `serve`
// holds for a burst does not grow with it; the reader told promptly; a follower that reads nothing
// dropped at its bound (8 MiB), alone or beside a reader.
// Scripted: serve holds its look once the first step was handed to the followers
// (`ROLLOUT_ENGINE_HOLD_AT=live.step.sent`), so the reader is seen told while the rest of the burst
// is not built yet; memory is serve's peak (VmHWM), read after the burst, against a fixed ceiling.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { HOLD_AT_ENV, HOLD_FILE_ENV } from '../../adapters/driven/system/holdPoint.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';
import { memoryOf, metricSample, spawnServe, until, wsClient } from './servedHome.js';
import type { ServeChild, WsClient } from './servedHome.js';

const P = 'ffffffff-0000-7000-8000-00000000c068';

/**
 * The most `serve`'s peak may grow for a burst, whatever its size: the index's catch-up of it
 * (~150 MB for 250 MB of rollout, without any follower), two steps of ~512 KiB per follower, the
 * 8 MiB a stalled follower may hold until it is dropped, and the garbage of rendering: 136–194 MB
 * measured for both bursts. Before: 402 MB for 50 MB, 935 MB for 2,000 × 128 KiB (nothing told after 127 s).
 */
const MAX_GROWTH_MB = 300;
/** Hang bounds only (a wait that ends sooner says nothing): how long a burst may take to be told whole. */
const HANG_MS = 240_000;

const figures = {
  burst50MB_rolloutMB: 0,
  burst50MB_growthMB: 0,
  burst50MB_firstMs: 0,
  burst50MB_readerTurns: 0,
  burst50MB_stalledDropped: 0,
  burst2000_rolloutMB: 0,
  burst2000_growthMB: 0,
  burst2000_firstMs: 0,
  burst2000_readerTurns: 0,
  burst2000_stalledDropped: 0,
  alone_growthMB: 0,
  alone_appendsToDrop: 0,
  alone_pushes: 0,
};

interface Burst {
  readonly name: '50MB' | '2000';
  readonly turns: number;
  /** Each turn's answer: its rollout holds it twice (the item and the response), so a turn is about twice this. */
  readonly answerBytes: number;
}

const BURSTS: ReadonlyArray<Burst> = [
  { name: '50MB', turns: 200, answerBytes: 128 * 1024 },
  { name: '2000', turns: 2000, answerBytes: 64 * 1024 },
];

/** Where the next appended turn starts. */
interface Next {
  readonly ordinal: number;
  readonly ms: number;
}

/** Appends `turns` turns answering `answerBytes` each, 50 a write (the test's own memory stays small); the bytes appended and where the next turn starts. */
const appendTurns = (
  path: string,
  start: Next,
  turns: number,
  answerBytes: number,
  tag: string,
): { bytes: number; next: Next } => {
  const answer = 'x'.repeat(answerBytes);
  let next = start;
  let bytes = 0;
  for (let done = 0; done < turns;) {
    const w = new RolloutWriter('paginated', P, { startOrdinal: next.ordinal, startMs: next.ms });
    for (let j = 0; j < 50 && done < turns; j++, done++) w.chatTurn(`${tag}-${done}`, `q ${done}`, answer);
    const text = w.text();
    fs.appendFileSync(path, text);
    bytes += Buffer.byteLength(text);
    next = { ordinal: w.nextOrdinal(), ms: w.nowMs() + 1000 };
  }
  return { bytes, next };
};

describe('reliability · live tail bursts: a followed thread is told a step at a time, paced by its followers, whatever landed', function () {
  this.timeout(900_000);
  // Registered before the temporary folder's: the processes end before their homes are removed.
  const children: ServeChild[] = [];
  after(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    reportArea('live tail bursts', figures);
  });
  const tmp = useTempDir('live-tail-bursts-');

  const homeWithThread = (name: string): { home: string; path: string; next: Next } => {
    const home = nodePath.join(tmp(), name);
    const w = chatThread('paginated', P, 2);
    const path = writeRollout(home, rolloutName(P), w.text());
    return { home, path, next: { ordinal: w.nextOrdinal(), ms: w.nowMs() + 1000 } };
  };

  const subscribed = async (c: WsClient): Promise<void> =>
    void expect(await c.request('rolloutEngine/thread/subscribe', { threadId: P })).to.have.nested.property(
      'result.status',
      'subscribed',
    );

  for (const b of BURSTS)
    it(`${b.name === '50MB' ? 'a 50 MB burst' : '2,000 turns of 128 KiB'}: the reader is told from the first step on and gets every turn; a stalled follower beside it is dropped; serve's peak grows under ${MAX_GROWTH_MB} MB`, async () => {
      const { home, path, next } = homeWithThread(b.name);
      const hold = nodePath.join(tmp(), `${b.name}.hold`);
      const serve = await spawnServe(home, [], true, { [HOLD_AT_ENV]: 'live.step.sent', [HOLD_FILE_ENV]: hold });
      children.push(serve);
      const reader = await wsClient(serve.url);
      const stalled = await wsClient(serve.url);
      await subscribed(reader);
      await subscribed(stalled);
      stalled.ws.pause();
      const idle = memoryOf(serve.child.pid!).peakMB;
      const start = Date.now();
      const { bytes } = appendTurns(path, next, b.turns, b.answerBytes, b.name);
      // The look holds once its first step went to the followers: the reader is told it while
      // the rest of the burst is not built yet.
      expect(
        await until(() => fs.existsSync(hold), HANG_MS),
        'the look handed its first step to the followers',
      ).to.equal(true);
      const toldEarly = await until(() => reader.notified.size > 0, HANG_MS);
      const firstMs = Date.now() - start;
      const early = [...reader.notified.values()].reduce((n, k) => n + k, 0);
      fs.rmSync(hold);
      expect(toldEarly, 'the reader was told while the look held at its first step').to.equal(true);
      const done = await until(
        () => (reader.notified.get('turn/completed') ?? 0) >= b.turns || reader.closed() !== null,
        HANG_MS,
      );
      const readerTurns = reader.notified.get('turn/completed') ?? 0;
      const droppedSaid = await until(() => /"msg":"slow consumer dropped"/.test(serve.stderr()), HANG_MS);
      const growth = memoryOf(serve.child.pid!).peakMB - idle;
      const dropped = await metricSample(serve.url, 'rollout_engine_ws_peers_dropped_total{reason="slow"}');
      Object.assign(figures, {
        [`burst${b.name}_rolloutMB`]: Math.round(bytes / (1 << 20)),
        [`burst${b.name}_growthMB`]: growth,
        [`burst${b.name}_firstMs`]: firstMs,
        [`burst${b.name}_readerTurns`]: readerTurns,
        [`burst${b.name}_stalledDropped`]: dropped,
      });
      reader.ws.close();
      stalled.ws.terminate();
      expect(early, 'notifications the reader had while the rest of the burst was not built').to.be.above(0);
      expect(
        done && reader.closed() === null,
        `the reader stays and is told every turn (${readerTurns} of ${b.turns})`,
      ).to.equal(true);
      expect(readerTurns).to.equal(b.turns);
      expect(droppedSaid, 'the stalled follower dropped (logged)').to.equal(true);
      expect(dropped).to.equal(1);
      expect(growth, `serve's peak growth for ${Math.round(bytes / (1 << 20))} MB of rollout, MB`).to.be.below(
        MAX_GROWTH_MB,
      );
    });

  it('a follower that reads nothing, alone: the look waits for it (serve holds two steps for it), and each change that lands meanwhile pushes one step on, until its 8 MiB bound drops it', async () => {
    const { home, path, next } = homeWithThread('alone');
    const serve = await spawnServe(home);
    children.push(serve);
    const stalled = await wsClient(serve.url);
    await subscribed(stalled);
    stalled.ws.pause();
    const idle = memoryOf(serve.child.pid!).peakMB;
    let at = appendTurns(path, next, 200, 128 * 1024, 'alone').next;
    const pushes = (): number =>
      (serve.stderr().match(/"msg":"live notifications pushed to stalled followers"/g) ?? []).length;
    const droppedSaid = (): boolean => /"msg":"slow consumer dropped"/.test(serve.stderr());
    // A small turn lands, and again once serve pushed a step for it (or after a hang bound: a
    // change that came while a step was being built gives no push, the next one does).
    let appends = 0;
    while (!droppedSaid() && appends < 200) {
      const pushed = pushes();
      at = appendTurns(path, at, 1, 16, `small-${appends++}`).next;
      await until(() => pushes() > pushed || droppedSaid(), 10_000);
    }
    figures.alone_growthMB = memoryOf(serve.child.pid!).peakMB - idle;
    figures.alone_appendsToDrop = appends;
    figures.alone_pushes = pushes();
    stalled.ws.terminate();
    expect(droppedSaid(), `dropped within ${appends} small turns after the burst`).to.equal(true);
    expect(figures.alone_growthMB, "serve's peak growth, MB").to.be.below(MAX_GROWTH_MB);
  });
});
