import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { canTakeLease, leaseHolder, passBackfillGate } from '../../indexer/open/backfillGate.js';
import type { GatePorts, Lease } from '../../indexer/open/backfillGate.js';
import { planMigration } from '../../migrations/index/steps.js';
import { right } from '../fixtures/right.js';

/** Ports over a fake clock and an in-memory lease. */
const fakePorts = (
  lease: { v: Lease | undefined },
  clock: { t: number },
  backfilled: { v: boolean },
): GatePorts & { backfills: number } => {
  const p = {
    backfills: 0,
    isBackfilled: () => TE.right(backfilled.v),
    tryAcquire: (owner: string, ttl: number) => {
      if (!canTakeLease(lease.v, owner, clock.t)) return TE.right(false);
      lease.v = { owner, expiresAt: clock.t + ttl };
      return TE.right(true);
    },
    release: (owner: string) => {
      if (lease.v?.owner === owner) lease.v = undefined;
      return TE.right(undefined);
    },
    backfill: () => {
      p.backfills += 1;
      backfilled.v = true;
      return TE.right(undefined);
    },
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return p;
};

describe('backfill gate (pure)', () => {
  it('waits the configured time for a live holder, then answers from the files', async () => {
    const clock = { t: 0 };
    const ports = fakePorts({ v: { owner: 'other', expiresAt: 1e9 } }, clock, { v: false });
    expect(await passBackfillGate(ports, { owner: 'me', waitMs: 30_000 })()).to.deep.equal(E.right('files'));
    expect(clock.t).to.equal(30_000);
    expect(ports.backfills).to.equal(0);
  });

  it('defaults to a 30 s wait', async () => {
    const clock = { t: 0 };
    const ports = fakePorts({ v: { owner: 'other', expiresAt: 1e9 } }, clock, { v: false });
    await passBackfillGate(ports, { owner: 'me' })();
    expect(clock.t).to.equal(30_000);
  });

  it('answers from the index as soon as the holder finishes', async () => {
    const clock = { t: 0 };
    const backfilled = { v: false };
    const ports = fakePorts({ v: { owner: 'other', expiresAt: 1e9 } }, clock, backfilled);
    const sleep = ports.sleep;
    const withHolder = {
      ...ports,
      sleep: async (ms: number) => {
        await sleep(ms);
        if (clock.t >= 5_000) backfilled.v = true;
      },
    };
    expect(await passBackfillGate(withHolder, { owner: 'me', pollMs: 1_000 })()).to.deep.equal(E.right('index'));
    expect(clock.t).to.equal(5_000);
  });

  it('takes over an expired lease and backfills itself', async () => {
    const clock = { t: 0 };
    const lease = { v: { owner: 'dead', expiresAt: 2_000 } as Lease | undefined };
    const ports = fakePorts(lease, clock, { v: false });
    expect(await passBackfillGate(ports, { owner: 'me', pollMs: 500 })()).to.deep.equal(E.right('index'));
    expect(ports.backfills).to.equal(1);
    expect(clock.t).to.equal(2_000);
    expect(lease.v).to.equal(undefined);
  });

  it('tells onWait once, with the holder, when it starts waiting (not when it takes the lease)', async () => {
    const clock = { t: 0 };
    const lease = { v: { owner: 'box:4242:k3', expiresAt: 1e9 } as Lease | undefined };
    const ports = { ...fakePorts(lease, clock, { v: false }), holder: () => TE.right(lease.v) };
    const told: Array<[Lease | undefined, number]> = [];
    await passBackfillGate(ports, { owner: 'me', waitMs: 1_000, pollMs: 100, onWait: (h, ms) => told.push([h, ms]) })();
    expect(told).to.deep.equal([[{ owner: 'box:4242:k3', expiresAt: 1e9 }, 1_000]]);
    lease.v = undefined;
    await passBackfillGate(ports, { owner: 'me', onWait: (h, ms) => told.push([h, ms]) })();
    expect(told).to.have.length(1);
    expect(leaseHolder('box:4242:k3')).to.deep.equal({ host: 'box', pid: 4242 });
    expect(leaseHolder('other-process')).to.equal(null);
  });

  it('plans migrations: init, current, steps, rebuild, unsupported', () => {
    const step = { from: 1, to: 2, name: 's', kind: 'inPlace' as const, run: () => [] };
    expect(planMigration(undefined, true, 1).kind).to.equal('init');
    expect(planMigration(undefined, false, 1)).to.deep.include({ kind: 'rebuild' });
    expect(planMigration(1, false, 1).kind).to.equal('current');
    expect(planMigration(1, false, 2, [step])).to.deep.equal({ kind: 'steps', steps: [step] });
    expect(planMigration(1, false, 3, [step])).to.deep.include({ kind: 'rebuild' });
    expect(planMigration(5, false, 1)).to.deep.equal({ kind: 'unsupported', version: 5 });
  });
});

describe('backfill gate: how it was passed (onPassed, for the server metrics and log)', () => {
  const passing = async (
    lease: Lease | undefined,
    backfilled: boolean,
    finishAt?: number,
  ): Promise<[string, number][]> => {
    const clock = { t: 0 };
    const done = { v: backfilled };
    const leaseBox = { v: lease };
    const ports = { ...fakePorts(leaseBox, clock, done), holder: () => TE.right(leaseBox.v) };
    const sleep = ports.sleep;
    const told: [string, number][] = [];
    const withHolder = {
      ...ports,
      sleep: async (ms: number) => {
        await sleep(ms);
        if (finishAt !== undefined && clock.t >= finishAt) done.v = true;
      },
    };
    right(
      await passBackfillGate(withHolder, {
        owner: 'me',
        pollMs: 500,
        waitMs: 10_000,
        onPassed: (p, ms) => told.push([p, ms]),
      })(),
    );
    return told;
  };

  it('already backfilled, built on a free lease, waited for another, took over an expired lease, fell back to the files', async () => {
    expect(await passing(undefined, true)).to.deep.equal([['backfilled', 0]]);
    expect(await passing(undefined, false)).to.deep.equal([['built', 0]]);
    expect(await passing({ owner: 'other', expiresAt: 1e9 }, false, 1_500)).to.deep.equal([['waited', 1_500]]);
    expect(await passing({ owner: 'dead', expiresAt: 2_000 }, false)).to.deep.equal([['tookOver', 2_000]]);
    // Expired before this process came: taken at once, still a takeover.
    expect(await passing({ owner: 'dead', expiresAt: 0 }, false)).to.deep.equal([['tookOver', 0]]);
    expect(await passing({ owner: 'other', expiresAt: 1e9 }, false)).to.deep.equal([['files', 10_000]]);
  });
});
