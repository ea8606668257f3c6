// Every lock a writer can meet, resolved by the documented rule (README, "Locks"): a holder that is
// alive waits its turn; an empty lock (holder killed between create and write), a lock naming a
// pid now held by an unrelated process (pid reuse), a lock from before a reboot, and a lock from
// another host older than its expiry are broken — within the documented bound, not after 5–60 s.
// A lock or breaker from the future (the clock stepped back, another host's clock ahead) ages
// from when the writer first saw it: no wait outlives its bound, none spins. Each acquire runs on
// a virtual clock that moves only when the lock waits: verdicts are virtual milliseconds and
// waits, the same on an idle machine and a busy one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { sweepFolder } from '../../adapters/driven/jsonl/home/leftovers.js';
import {
  acquireLock,
  isAbandonedBreaker,
  LOCK_DEFAULTS,
  releaseLock,
  SYSTEM_LOCK_CLOCK,
} from '../../adapters/driven/fs/lockFile.js';
import type { LockClock } from '../../adapters/driven/fs/lockFile.js';
import { startTicksOf, thisProcess } from '../../adapters/driven/system/processIdentity.js';
import { isEngineError } from '../../domain/errors.js';
import { reportArea } from './areaSummary.js';

/** More waits than any bounded wait here needs (10 s at the 20 ms a full backoff waits at least): a loop past it spins. */
const MAX_WAITS = 1_000;

/**
 * A scripted clock for one acquire: time moves only when the lock waits, by exactly the wait it
 * asks for, so verdicts count waits and virtual milliseconds, whatever the machine's load.
 * `onWait` runs at each wait with the virtual time reached (another process's scripted moves).
 */
const virtualClock = (onWait: (elapsedMs: number) => void = () => undefined) => {
  const startWall = Date.now();
  const run = { elapsedMs: 0, waits: 0, emptyWaits: 0 };
  const clock: LockClock = {
    wallMs: () => startWall + run.elapsedMs,
    monotonicMs: () => run.elapsedMs,
    sleep: async (ms) => {
      run.waits += 1;
      if (ms <= 0) run.emptyWaits += 1;
      if (run.waits > MAX_WAITS) throw new Error(`more than ${MAX_WAITS} waits: the lock spins`);
      run.elapsedMs += Math.max(0, ms);
      onWait(run.elapsedMs);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return { clock, run };
};

type Acquired = { took: boolean; elapsedMs: number; waits: number; emptyWaits: number };

/** Take the lock at `lockPath` on `clock` with a bounded wait: whether it was taken, after how much virtual time and how many waits. */
const timedAcquire = async (lockPath: string, waitMs: number, v = virtualClock()): Promise<Acquired> => {
  let took = true;
  try {
    await releaseLock(await acquireLock(lockPath, { waitMs, clock: v.clock }));
  } catch (err) {
    // Only the bounded wait running out is an answer; any other failure fails the test.
    if (!isEngineError(err) || err._tag !== 'Timeout') throw err;
    took = false;
  }
  return { took, ...v.run };
};

/** The most waits a bounded wait of `ms` takes: the backoff doubles from 1 ms to 40 ms (jittered to at least half), then waits at least 20 ms each. */
const mostWaits = (ms: number): number => 6 + Math.ceil(ms / (LOCK_DEFAULTS.maxBackoffMs / 2)) + 1;
/** The most virtual time a wait overshoots the moment the lock became free or stale: one jittered backoff. */
const ONE_BACKOFF_MS = LOCK_DEFAULTS.maxBackoffMs * 1.5;

describe('reliability · locks left by dead, reused, rebooted and foreign holders', function () {
  this.timeout(120_000);
  let dir: string;
  let lockPath: string;
  let sleeper: ChildProcess;
  const figures = { cases: 0, broken: 0, honoured: 0, wrong: 0 };
  /** Set `path`'s mtime `ageMs` before the clock's now (negative: ahead of it). */
  const dated = (path: string, ageMs: number, v: { readonly clock: LockClock }): void => {
    const t = new Date(v.clock.wallMs() - ageMs);
    fs.utimesSync(path, t, t);
  };
  const lockWith = (content: string, v: ReturnType<typeof virtualClock>, ageMs = 0): void => {
    fs.writeFileSync(lockPath, content);
    dated(lockPath, ageMs, v);
  };
  /** Taken, after between `fromMs` and `toMs` of virtual time, within the waits that time allows, none of them empty. */
  const expectBroken = async (v: ReturnType<typeof virtualClock>, fromMs: number, toMs: number) => {
    figures.cases++;
    const r = await timedAcquire(lockPath, LOCK_DEFAULTS.waitMs, v);
    if (r.took && r.elapsedMs >= fromMs && r.elapsedMs <= toMs) figures.broken++;
    else figures.wrong++;
    expect(r, 'taken, no empty waits').to.deep.include({ took: true, emptyWaits: 0 });
    expect(r.elapsedMs, 'virtual ms before it was taken').to.be.within(fromMs, toMs);
    expect(r.waits, 'waits').to.be.at.most(mostWaits(toMs));
  };
  const expectHonoured = async (v: ReturnType<typeof virtualClock>, waitMs: number) => {
    figures.cases++;
    const r = await timedAcquire(lockPath, waitMs, v);
    if (!r.took && r.elapsedMs === waitMs) figures.honoured++;
    else figures.wrong++;
    expect(r, 'a live holder keeps its lock: Timeout at the bound').to.deep.include({
      took: false,
      elapsedMs: waitMs,
      emptyWaits: 0,
    });
    expect(r.waits, 'waits').to.be.at.most(mostWaits(waitMs));
  };

  before(async () => {
    dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rel-locks-'));
    lockPath = nodePath.join(dir, 'rollout.jsonl.lock');
    // An unrelated live process whose pid a stale lock can name.
    sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((resolve) => sleeper.once('spawn', resolve));
  });
  afterEach(() => {
    fs.rmSync(lockPath, { force: true });
    fs.rmSync(`${lockPath}.break`, { force: true });
  });
  after(() => {
    sleeper.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    reportArea('locks (empty, pid reuse, reboot, foreign host, live, from the future)', figures);
  });

  it('an empty lock (killed between create and write) is broken once older than its expiry, not after 5 s', async () => {
    const v = virtualClock();
    lockWith('', v);
    await expectBroken(v, LOCK_DEFAULTS.unreadableStaleMs, LOCK_DEFAULTS.unreadableStaleMs + ONE_BACKOFF_MS);
  });

  it('a lock naming a live pid whose process started after the lock was written (pid reuse) is broken at once', async () => {
    // As an older engine wrote it (no start time): judged by the lock's mtime against the process start.
    const old = virtualClock();
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        token: 'old',
        acquiredAt: new Date(Date.now() - 60_000).toISOString(),
      }),
      old,
      60_000,
    );
    await expectBroken(old, 0, 0);
    // With a start time that is not the process's.
    const { bootId } = thisProcess();
    const other = virtualClock();
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        bootId,
        startTicks: startTicksOf(sleeper.pid!)! - 1,
        token: 'x',
        acquiredAt: new Date().toISOString(),
      }),
      other,
    );
    await expectBroken(other, 0, 0);
  });

  it('a lock from before a reboot (same host, another boot id) is broken at once', async () => {
    const v = virtualClock();
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        bootId: 'another-boot',
        startTicks: startTicksOf(sleeper.pid!),
        token: 'x',
        acquiredAt: new Date().toISOString(),
      }),
      v,
    );
    await expectBroken(v, 0, 0);
  });

  it(`a lock from another host is honoured while fresh and broken once older than ${LOCK_DEFAULTS.foreignStaleMs} ms (not 60 s)`, async () => {
    const foreign = JSON.stringify({
      pid: 1,
      host: 'another-host.example',
      token: 'x',
      acquiredAt: new Date().toISOString(),
    });
    const fresh = virtualClock();
    lockWith(foreign, fresh);
    await expectHonoured(fresh, 300);
    const old = virtualClock();
    lockWith(foreign, old, LOCK_DEFAULTS.foreignStaleMs + 1_000);
    await expectBroken(old, 0, 0);
    // One just short of its expiry: broken once it passes it, on this writer's clock.
    const aging = virtualClock();
    lockWith(foreign, aging, LOCK_DEFAULTS.foreignStaleMs - 200);
    await expectBroken(aging, 200, 200 + ONE_BACKOFF_MS);
  });

  it('a live holder (its pid, start time and boot id) keeps its lock until it releases it', async () => {
    const v = virtualClock();
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        bootId: thisProcess().bootId,
        startTicks: startTicksOf(sleeper.pid!),
        token: 'x',
        acquiredAt: new Date().toISOString(),
      }),
      v,
      60_000,
    );
    await expectHonoured(v, 400);
    const held = await acquireLock(nodePath.join(dir, 'other.lock'));
    const second = await timedAcquire(nodePath.join(dir, 'other.lock'), 300);
    expect(second).to.deep.include({ took: false, elapsedMs: 300 });
    await releaseLock(held);
  });

  it('a stale lock behind a breaker from the future (clock stepped back) is broken once the breaker is 1 s old to this writer: no endless loop, no spinning', async () => {
    const breaker = `${lockPath}.break`;
    const v = virtualClock();
    lockWith('', v, 60_000); // stale: empty for a minute
    fs.writeFileSync(breaker, '');
    dated(breaker, -3_600_000, v); // an hour ahead
    await expectBroken(v, 1_000, 1_000 + ONE_BACKOFF_MS);
  });

  it(`a lock from another host dated in the future is stale ${LOCK_DEFAULTS.foreignStaleMs} ms after this writer first saw it (not once the clock passes its mtime)`, async () => {
    const v = virtualClock();
    lockWith(
      JSON.stringify({ pid: 1, host: 'another-host.example', token: 'x', acquiredAt: new Date().toISOString() }),
      v,
      -3_600_000,
    );
    await expectBroken(v, LOCK_DEFAULTS.foreignStaleMs, LOCK_DEFAULTS.foreignStaleMs + ONE_BACKOFF_MS);
  });

  it('a live breaker from the future that nobody abandons ends the wait with Timeout at the bound', async () => {
    const breaker = `${lockPath}.break`;
    // Another breaker replaces it with a new file (renamed over it: never absent) every 100 ms of
    // this writer's time, faster than it ages: always fresh to the writer.
    let replacedAt = 0;
    const replace = (v: ReturnType<typeof virtualClock>): void => {
      fs.writeFileSync(`${breaker}.next`, '');
      dated(`${breaker}.next`, -3_600_000, v);
      fs.renameSync(`${breaker}.next`, breaker);
    };
    const v = virtualClock((elapsedMs) => {
      if (elapsedMs - replacedAt < 100) return;
      replacedAt = elapsedMs;
      replace(v);
    });
    lockWith('', v, 60_000);
    replace(v);
    await expectHonoured(v, 1_500);
  });

  it("the leftovers sweep removes a breaker from the future once it has seen it for longer than a breaker's bound", async () => {
    const breaker = `${lockPath}.break`;
    fs.writeFileSync(breaker, '');
    dated(breaker, -3_600_000, { clock: SYSTEM_LOCK_CLOCK });
    figures.cases++;
    await sweepFolder(dir);
    const keptAtFirstSight = fs.existsSync(breaker);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(isAbandonedBreaker(1_100)).to.equal(true);
    await sweepFolder(dir);
    const removed = !fs.existsSync(breaker);
    if (keptAtFirstSight && removed) figures.broken++;
    else figures.wrong++;
    expect({ keptAtFirstSight, removed }).to.deep.equal({ keptAtFirstSight: true, removed: true });
  });
});
