import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';

/** A lease row: who backfills, until when (ms since epoch). */
export interface Lease {
  readonly owner: string;
  readonly expiresAt: number;
}

/** The process a lease names, when its owner is `host:pid:nonce` (as the LMDB adapter's owners are); null for any other owner. Pure. */
export const leaseHolder = (owner: string): { readonly host: string; readonly pid: number } | null => {
  const m = /^(.+):(\d+):[^:]*$/.exec(owner);
  return m === null ? null : { host: m[1]!, pid: Number(m[2]) };
};

/** Whether `owner` may take the lease now (free, expired, or already its own). Pure. */
export const canTakeLease = (current: Lease | undefined, owner: string, now: number): boolean =>
  current === undefined || current.expiresAt <= now || current.owner === owner;

/** What the gate needs from the index and the machine (the adapter supplies it). */
export interface GatePorts {
  /** The index has been fully backfilled (no backfill is needed). */
  readonly isBackfilled: () => TE.TaskEither<EngineError, boolean>;
  /** Take or renew the lease for `ttlMs` in one transaction; false if someone else holds it. */
  readonly tryAcquire: (owner: string, ttlMs: number) => TE.TaskEither<EngineError, boolean>;
  readonly release: (owner: string) => TE.TaskEither<EngineError, void>;
  /** The lease as it stands, to say whom a waiting process waits for (optional). */
  readonly holder?: () => TE.TaskEither<EngineError, Lease | undefined>;
  /** Backfill the index and mark it backfilled (runs under the lease). */
  readonly backfill: () => TE.TaskEither<EngineError, void>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The process no longer needs the gate (a server closing while it waits): it stops waiting. */
  readonly stopped?: () => boolean;
}

export interface GateOptions {
  readonly owner: string;
  /** How long a process waits for another's backfill before answering from the files (default 30 s). */
  readonly waitMs?: number;
  readonly pollMs?: number;
  /** Lease time to live; a holder that dies frees it after this long (default 60 s). */
  readonly leaseTtlMs?: number;
  /** Told once, when another process holds the lease and this one starts waiting for it (`waitMs` at most). */
  readonly onWait?: (holder: Lease | undefined, waitMs: number) => void;
  /** Told once how the gate was passed and how long this process waited at it (the server counts and logs it). */
  readonly onPassed?: (passing: GatePassing, waitedMs: number) => void;
}

/**
 * How a process passed the gate: `backfilled` the index already was; `built` it took the free
 * lease and backfilled; `waited` another process finished while it waited; `tookOver` it took an
 * expired lease (its holder died) and backfilled; `files` it gave up waiting and answers from the files.
 */
export type GatePassing = 'backfilled' | 'built' | 'waited' | 'tookOver' | 'files';

export const DEFAULT_GATE_WAIT_MS = 30_000;

/**
 * `index`: answer from the index (already backfilled, or this process just backfilled it).
 * `files`: another process holds the lease and did not finish in time: answer from the files.
 */
export type GateVerdict = 'index' | 'files';

/**
 * The backfill gate: one process holds a lease and backfills; the others wait a bounded time
 * for it, taking the lease over if it expires (the holder died), then answer from the files
 * instead of failing or hanging.
 */
export const passBackfillGate = (ports: GatePorts, opts: GateOptions): TE.TaskEither<EngineError, GateVerdict> =>
  useCase(async () => {
    const waitMs = opts.waitMs ?? DEFAULT_GATE_WAIT_MS;
    const pollMs = opts.pollMs ?? Math.max(10, Math.min(250, Math.floor(waitMs / 20)));
    const ttl = opts.leaseTtlMs ?? 60_000;
    const start = ports.now();
    const deadline = start + waitMs;
    const passed = (passing: GatePassing, verdict: GateVerdict): GateVerdict => {
      opts.onPassed?.(passing, ports.now() - start);
      return verdict;
    };
    let waiting = false;
    for (;;) {
      if (await take(ports.isBackfilled())) return passed(waiting ? 'waited' : 'backfilled', 'index');
      // Whose lease it was before taking it tells a takeover from a free lease (asked only when someone listens).
      const before =
        opts.onPassed !== undefined && ports.holder !== undefined ? await ports.holder()() : E.right(undefined);
      if (await take(ports.tryAcquire(opts.owner, ttl))) {
        const backfilled = await ports.backfill()();
        // Released however the backfill ended; its error first.
        const released = await ports.release(opts.owner)();
        await take(backfilled);
        await take(released);
        const heldByAnother =
          waiting || (E.isRight(before) && before.right !== undefined && before.right.owner !== opts.owner);
        return passed(heldByAnother ? 'tookOver' : 'built', 'index');
      }
      if (ports.now() >= deadline || ports.stopped?.() === true) return passed('files', 'files');
      if (!waiting && opts.onWait !== undefined) {
        const holder = ports.holder === undefined ? E.right(undefined) : await ports.holder()();
        opts.onWait(E.isRight(holder) ? holder.right : undefined, waitMs);
      }
      waiting = true;
      await ports.sleep(Math.min(pollMs, Math.max(1, deadline - ports.now())));
    }
  });
