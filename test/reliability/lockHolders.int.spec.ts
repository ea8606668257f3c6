// Every lock a writer can meet, resolved by the documented rule (README, "Locks"): a holder that is
// alive waits its turn; an empty lock (holder killed between create and write), a lock naming a
// pid now held by an unrelated process (pid reuse), a lock from before a reboot, and a lock from
// another host older than its expiry are broken — within the documented bound, not after 5–60 s.
// A lock or breaker from the future (the clock stepped back, another host's clock ahead) ages
// from when the writer first saw it: no wait outlives its bound, none spins.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { sweepFolder } from '../../adapters/jsonl/leftovers.js';
import { acquireLock, isAbandonedBreaker, LOCK_DEFAULTS, releaseLock } from '../../adapters/fs/lockFile.js';
import { startTicksOf, thisProcess } from '../../adapters/system/processIdentity.js';
import { isEngineError } from '../../domain/errors.js';
import { reportArea } from './areaSummary.js';

/** Take the lock at `lockPath` with a bounded wait; how long it took, or the failure. */
const timedAcquire = async (lockPath: string, waitMs: number): Promise<{ ms: number; took: boolean }> => {
  const started = Date.now();
  try {
    await releaseLock(await acquireLock(lockPath, { waitMs }));
    return { ms: Date.now() - started, took: true };
  } catch (err) {
    // Only the bounded wait running out is an answer; any other failure fails the test.
    if (!isEngineError(err) || err._tag !== 'Timeout') throw err;
    return { ms: Date.now() - started, took: false };
  }
};

/**
 * `timedAcquire` watched from outside: a wait still running `hangAfterMs` after it began is a hang
 * (`unstick` then ends it, so the test can fail instead of waiting forever); with the CPU it used.
 */
const watchedAcquire = async (
  lockPath: string,
  waitMs: number,
  hangAfterMs: number,
  unstick: () => void,
): Promise<{ ms: number; took: boolean; hung: boolean; cpuMs: number }> => {
  const cpu = process.cpuUsage();
  let hung = false;
  const attempt = timedAcquire(lockPath, waitMs);
  const watch = setTimeout(() => {
    hung = true;
    unstick();
  }, hangAfterMs);
  const r = await attempt;
  clearTimeout(watch);
  const used = process.cpuUsage(cpu);
  return { ...r, hung, cpuMs: (used.user + used.system) / 1000 };
};

describe('reliability · locks left by dead, reused, rebooted and foreign holders', function () {
  this.timeout(30_000);
  let dir: string;
  let lockPath: string;
  let sleeper: ChildProcess;
  const figures = { cases: 0, broken: 0, honoured: 0, wrong: 0, hangs: 0 };
  const dated = (path: string, ageMs: number): void => {
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(path, t, t);
  };
  const lockWith = (content: string, ageMs = 0): void => {
    fs.writeFileSync(lockPath, content);
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(lockPath, t, t);
  };
  const expectBroken = async (bound: number) => {
    figures.cases++;
    const r = await timedAcquire(lockPath, 3_000);
    if (r.took && r.ms <= bound) figures.broken++;
    else figures.wrong++;
    expect(r, `taken within ${bound} ms`).to.deep.include({ took: true });
    expect(r.ms).to.be.at.most(bound);
  };
  const expectHonoured = async (waitMs: number) => {
    figures.cases++;
    const r = await timedAcquire(lockPath, waitMs);
    if (!r.took) figures.honoured++;
    else figures.wrong++;
    expect(r.took, 'a live holder keeps its lock').to.equal(false);
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
    lockWith('');
    await expectBroken(LOCK_DEFAULTS.unreadableStaleMs + 500);
  });

  it('a lock naming a live pid whose process started after the lock was written (pid reuse) is broken at once', async () => {
    // As an older engine wrote it (no start time): judged by the lock's mtime against the process start.
    lockWith(JSON.stringify({ pid: sleeper.pid, host: os.hostname(), token: 'old', acquiredAt: new Date(Date.now() - 60_000).toISOString() }), 60_000);
    await expectBroken(300);
    // With a start time that is not the process's.
    const { bootId } = thisProcess();
    lockWith(
      JSON.stringify({ pid: sleeper.pid, host: os.hostname(), bootId, startTicks: startTicksOf(sleeper.pid!)! - 1, token: 'x', acquiredAt: new Date().toISOString() }),
    );
    await expectBroken(300);
  });

  it('a lock from before a reboot (same host, another boot id) is broken at once', async () => {
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        bootId: 'another-boot',
        startTicks: startTicksOf(sleeper.pid!),
        token: 'x',
        acquiredAt: new Date().toISOString(),
      }),
    );
    await expectBroken(300);
  });

  it(`a lock from another host is honoured while fresh and broken once older than ${LOCK_DEFAULTS.foreignStaleMs} ms (not 60 s)`, async () => {
    const foreign = JSON.stringify({ pid: 1, host: 'another-host.example', token: 'x', acquiredAt: new Date().toISOString() });
    lockWith(foreign);
    await expectHonoured(300);
    lockWith(foreign, LOCK_DEFAULTS.foreignStaleMs + 1_000);
    await expectBroken(300);
  });

  it('a live holder (its pid, start time and boot id) keeps its lock until it releases it', async () => {
    lockWith(
      JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        bootId: thisProcess().bootId,
        startTicks: startTicksOf(sleeper.pid!),
        token: 'x',
        acquiredAt: new Date().toISOString(),
      }),
      60_000,
    );
    await expectHonoured(400);
    const held = await acquireLock(nodePath.join(dir, 'other.lock'));
    const second = await timedAcquire(nodePath.join(dir, 'other.lock'), 300);
    expect(second.took).to.equal(false);
    await releaseLock(held);
  });

  it('a stale lock behind a breaker from the future (clock stepped back) is broken once the breaker is 1 s old to this writer: no endless loop, no spinning', async () => {
    const breaker = `${lockPath}.break`;
    lockWith('', 60_000); // stale: empty for a minute
    fs.writeFileSync(breaker, '');
    dated(breaker, -3_600_000); // an hour ahead
    figures.cases++;
    const r = await watchedAcquire(lockPath, LOCK_DEFAULTS.waitMs, LOCK_DEFAULTS.waitMs + 2_000, () => fs.rmSync(breaker, { force: true }));
    if (r.hung) figures.hangs++;
    else if (r.took && r.ms <= 2_000) figures.broken++;
    else figures.wrong++;
    expect(r, 'the wait ends within its bound').to.deep.include({ hung: false, took: true });
    expect(r.ms, 'broken once the breaker is abandoned (1 s after first seen)').to.be.within(900, 2_000);
    expect(r.cpuMs, 'CPU while waiting').to.be.at.most(300);
  });

  it(`a lock from another host dated in the future is stale ${LOCK_DEFAULTS.foreignStaleMs} ms after this writer first saw it (not once the clock passes its mtime)`, async () => {
    lockWith(JSON.stringify({ pid: 1, host: 'another-host.example', token: 'x', acquiredAt: new Date().toISOString() }), -3_600_000);
    figures.cases++;
    const r = await watchedAcquire(lockPath, LOCK_DEFAULTS.waitMs, LOCK_DEFAULTS.waitMs + 2_000, () => fs.rmSync(lockPath, { force: true }));
    if (r.hung) figures.hangs++;
    else if (r.took && r.ms <= LOCK_DEFAULTS.foreignStaleMs + 1_000) figures.broken++;
    else figures.wrong++;
    expect(r, 'taken, not a Timeout').to.deep.include({ hung: false, took: true });
    expect(r.ms).to.be.within(LOCK_DEFAULTS.foreignStaleMs - 100, LOCK_DEFAULTS.foreignStaleMs + 1_000);
    expect(r.cpuMs, 'CPU while waiting').to.be.at.most(500);
  });

  it('a live breaker from the future that nobody abandons ends the wait with Timeout at the bound', async () => {
    const breaker = `${lockPath}.break`;
    lockWith('', 60_000);
    figures.cases++;
    // Replaced by a new file (renamed over it: never absent) faster than it ages: always fresh to the writer.
    const replace = (): void => {
      fs.writeFileSync(`${breaker}.next`, '');
      dated(`${breaker}.next`, -3_600_000);
      fs.renameSync(`${breaker}.next`, breaker);
    };
    replace();
    const keeper = setInterval(replace, 100);
    try {
      const r = await watchedAcquire(lockPath, 1_500, 5_000, () => {
        clearInterval(keeper);
        fs.rmSync(breaker, { force: true });
      });
      if (r.hung) figures.hangs++;
      else if (!r.took && r.ms <= 1_800) figures.honoured++;
      else figures.wrong++;
      expect(r, 'Timeout, not a hang').to.deep.include({ hung: false, took: false });
      expect(r.ms).to.be.within(1_400, 1_800);
      expect(r.cpuMs, 'CPU while waiting').to.be.at.most(300);
    } finally {
      clearInterval(keeper);
    }
  });

  it("the leftovers sweep removes a breaker from the future once it has seen it for longer than a breaker's bound", async () => {
    const breaker = `${lockPath}.break`;
    fs.writeFileSync(breaker, '');
    dated(breaker, -3_600_000);
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
