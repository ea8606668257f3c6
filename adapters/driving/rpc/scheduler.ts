import type { RpcScope } from '../../../protocol/methodEntry.js';
import type { ServerLoad } from './method.js';

/**
 * When each accepted request runs, as Codex's app-server `request_serialization` orders them: a
 * request without a scope runs at once; requests with a key wait in that key's FIFO queue — reads
 * of one key run together, a write runs alone, and a write waiting in the queue holds back the
 * reads behind it (so writes are not starved). Unlike Codex, which runs a key's adjacent reads as
 * one batch and starts the next batch when the whole batch is done, a read that arrives while only
 * reads run joins them at once.
 *
 * Shared by every connection of a server; a connection's requests are its `owner`'s: when the
 * connection goes, `dropQueued` skips its requests still waiting (their handlers never run).
 */
export interface Scheduler {
  /** Run `job` when its scope allows; false (nothing queued) when its key already has `maxQueuedPerKey` requests waiting. */
  readonly submit: (job: ScheduledJob) => boolean;
  /** Skip every waiting request of `owner` (its `skipped` is called); running ones finish. */
  readonly dropQueued: (owner: object) => void;
  /** Resolves once nothing runs and nothing waits. */
  readonly idle: () => Promise<void>;
  readonly load: ServerLoad;
}

export interface ScheduledJob {
  readonly owner: object;
  readonly scope: RpcScope;
  /** The request's work; the scheduler waits for it before the next request of its key may start. Never rejects. */
  readonly run: () => Promise<void>;
  /** Called instead of `run` when the request is dropped while it waits. */
  readonly skipped: () => void;
}

/** Codex's bound on a connection's ingress (`CHANNEL_CAPACITY`): requests a connection may have accepted and unanswered (the server counts them). */
export const DEFAULT_MAX_REQUESTS_PER_CONNECTION = 128;
/** Requests that may wait for one key (a thread); a client that wants more at once should use several threads or wait. */
export const DEFAULT_MAX_QUEUED_PER_KEY = 64;

/** Requests started per turn of the event loop (`startSome`): enough for throughput, few enough that I/O callbacks come between them. */
const STARTS_PER_TURN = 16;

export interface SchedulerLimits {
  /** How many requests may wait for one key; one more is refused (the server answers it as overloaded). */
  readonly maxQueuedPerKey: number;
}

/** One key's state: what runs now, and what waits, oldest first. */
interface KeyQueue {
  readers: number;
  writing: boolean;
  readonly waiting: Array<ScheduledJob & { readonly access: 'read' | 'write' }>;
}

// long: a port's factory: the methods it returns share its closure's state
export const createScheduler = (limits: SchedulerLimits): Scheduler => {
  const keys = new Map<string, KeyQueue>();
  let running = 0;
  let queued = 0;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = (): void => {
    if (running !== 0 || queued !== 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  // Jobs allowed to run start a few per turn of the event loop, writes first: a burst of reads
  // started at once would run their synchronous parts (index reads, answers' JSON) back to back
  // and hold every I/O callback behind them, so a write's file steps (lock, write, fsync, index)
  // would each wait a whole burst, and under steady load it would land seconds late.
  const readyWrites: Array<() => void> = [];
  const readyReads: Array<() => void> = [];
  let turnScheduled = false;
  const startSome = (): void => {
    turnScheduled = false;
    for (let n = 0; n < STARTS_PER_TURN; n++) {
      const next = readyWrites.shift() ?? readyReads.shift();
      if (next === undefined) return;
      next();
    }
    if (readyWrites.length + readyReads.length > 0) scheduleTurn();
  };
  const scheduleTurn = (): void => {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(startSome);
  };

  const start = (job: ScheduledJob, access: 'read' | 'write', done: () => void): void => {
    running++;
    (access === 'write' ? readyWrites : readyReads).push(
      () =>
        void job.run().finally(() => {
          running--;
          done();
          settleIdle();
        }),
    );
    scheduleTurn();
  };

  /** Start what the key's queue allows, from its head: a write alone, or every read up to the first write. */
  const pump = (key: string, q: KeyQueue): void => {
    while (q.waiting.length > 0) {
      const head = q.waiting[0]!;
      if (head.access === 'write' ? q.writing || q.readers > 0 : q.writing) break;
      q.waiting.shift();
      queued--;
      if (head.access === 'write') q.writing = true;
      else q.readers++;
      start(head, head.access, () => {
        if (head.access === 'write') q.writing = false;
        else q.readers--;
        pump(key, q);
      });
    }
    if (q.waiting.length === 0 && q.readers === 0 && !q.writing) keys.delete(key);
  };

  return {
    submit: (job) => {
      if (job.scope === null) {
        start(job, 'read', () => undefined);
        return true;
      }
      let q = keys.get(job.scope.key);
      if (q === undefined) keys.set(job.scope.key, (q = { readers: 0, writing: false, waiting: [] }));
      if (q.waiting.length >= limits.maxQueuedPerKey) return false;
      q.waiting.push({ ...job, access: job.scope.access });
      queued++;
      pump(job.scope.key, q);
      return true;
    },
    dropQueued: (owner) => {
      for (const [key, q] of keys) {
        const dropped = q.waiting.filter((j) => j.owner === owner);
        if (dropped.length === 0) continue;
        q.waiting.splice(0, q.waiting.length, ...q.waiting.filter((j) => j.owner !== owner));
        queued -= dropped.length;
        for (const j of dropped) j.skipped();
        // A dropped write may have been holding back reads behind it.
        pump(key, q);
      }
      settleIdle();
    },
    idle: () =>
      running === 0 && queued === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    load: { inFlight: () => running, queued: () => queued },
  };
};
