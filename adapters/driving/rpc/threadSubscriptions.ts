import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { take, useCase } from '../../../domain/effect.js';
import type { MutationPorts } from '../../../replay/ports.js';
import type { TailState } from '../../../replay/history/tailThread.js';
import { parseRolloutFileName } from '../../driven/jsonl/home/rolloutFileName.js';
import { holdPoint } from '../../driven/system/holdPoint.js';
import { garbageBound } from '../../driven/system/garbageBound.js';

/**
 * Bytes of rollout text told between two full collections (the steps' garbage: garbageBound.ts):
 * a burst of large turns told to a WebSocket reader peaked lower with them.
 */
const GARBAGE_BYTES = 16 * 1024 * 1024;

/** Codex's `thread/unsubscribe` statuses. */
export type { UnsubscribeStatus } from '../../../protocol/threads.js';
import type { UnsubscribeStatus } from '../../../protocol/threads.js';

/** One connection's side of the hub: the threads it follows. */
export interface ConnectionThreads {
  /** Follow a thread: from now on, what lands in it is sent to this connection. NotFound for an unknown thread. */
  readonly subscribe: (threadId: string) => Promise<E.Either<EngineError, void>>;
  readonly unsubscribe: (threadId: string) => UnsubscribeStatus;
  /** A thread changed through this server (`rollout/append`): its followers are told. */
  readonly changed: (threadId: string) => void;
  /** The connection is gone: it follows nothing. */
  readonly close: () => void;
}

/**
 * The server-wide hub of live notifications: which connections follow which thread, and what to
 * tell them when its rollout grows. A change (the home watch saw a rollout file move, or
 * `rollout/append` wrote one) is looked at after a short debounce, once per thread at a time
 * (changes meanwhile give one more look): the thread is caught up and `replay/history/tailThread.ts` says
 * what landed since its followers were last told, a step at a time, sent to each as Codex sends
 * it (with `emittedAtMs`), the next step built once some follower took the one before the last
 * (`paced`). Nothing runs while nothing changes: no polling.
 */
export interface ThreadSubscriptions {
  /**
   * A connection: `send` takes one step of a look at a thread, in order (its transport's bound
   * counts them as one group), and settles once its transport took them: the look is paced by it.
   */
  readonly connect: (send: (messages: ReadonlyArray<unknown>) => Promise<void>) => ConnectionThreads;
  /** A rollout file changed: the thread it belongs to (by its name) is looked at, if followed. */
  readonly fileChanged: (path: string) => void;
  readonly close: () => void;
}

/** Lines of one write arrive in a burst (Codex writes a turn's lines within milliseconds): one look for them. */
export const LIVE_DEBOUNCE_MS = 15;

interface Followed {
  readonly followers: Set<Connection>;
  seen: TailState;
  timer: NodeJS.Timeout | null;
  running: boolean;
  again: boolean;
  /** While a look waits for its followers to take a step: the thread changed (see `paced`). */
  nudge: (() => void) | null;
}

interface Connection {
  readonly send: (messages: ReadonlyArray<unknown>) => Promise<void>;
}

export interface ThreadSubscriptionsOptions {
  /** Runs a look ahead of a backfill running behind (`OpenCodexHome.aheadOfBackfill`). */
  readonly run?: <A>(work: () => Promise<A>) => Promise<A>;
  /** Told of a look that failed (the thread is looked at again on its next change). */
  readonly onError?: (threadId: string, error: EngineError) => void;
  /** Told when a change to the thread sent a step on though no follower took the one before (`paced`). */
  readonly onPushed?: (threadId: string) => void;
  /** About how many bytes of rollout text one step of a look holds (`TAIL_STEP_BYTES`). */
  readonly stepBytes?: number;
}

/** Settles once one of the sends did (true), or all were refused (false). */
const takenBySome = (sends: ReadonlyArray<Promise<void>>): Promise<boolean> =>
  sends.length === 0
    ? Promise.resolve(false)
    : Promise.any(sends).then(
        () => true,
        () => false,
      );

/**
 * The tail use cases, loaded when a thread is first followed: they bring in the domain's folds,
 * which `serve` need not load before it answers `initialize`.
 */
let tailUseCases: Promise<typeof import('../../../replay/history/tailThread.js')> | undefined;
const loadTail = (): Promise<typeof import('../../../replay/history/tailThread.js')> =>
  (tailUseCases ??= import('../../../replay/history/tailThread.js'));

// long: a port's factory: the methods it returns share its closure's state
export const threadSubscriptions = (
  ports: MutationPorts,
  options: ThreadSubscriptionsOptions = {},
): ThreadSubscriptions => {
  const threads = new Map<string, Followed>();
  const run = options.run ?? ((work) => work());
  const stepBytes = options.stepBytes;
  const garbage = garbageBound(GARBAGE_BYTES);
  let closed = false;

  /**
   * Wait until some follower took `before` (the step before the last), or a change to the thread
   * comes while none did: then the look goes on anyway, one step, so a follower that reads nothing
   * still meets its outbox's bound as the thread grows (and is dropped, as before), while one that
   * reads is never sent more than two steps ahead of what it took.
   */
  const paced = async (threadId: string, f: Followed, before: Promise<boolean>): Promise<boolean> => {
    let pushed: () => void = () => undefined;
    const changed = new Promise<'changed'>((resolve) => (pushed = () => resolve('changed')));
    f.nudge = pushed;
    try {
      const outcome = await Promise.race([before, changed]);
      if (outcome === 'changed') options.onPushed?.(threadId);
      return outcome !== false;
    } finally {
      f.nudge = null;
    }
  };

  const look = async (threadId: string, f: Followed): Promise<void> => {
    f.timer = null;
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    try {
      const { tailThread } = await loadTail();
      // A look is taken a step at a time (`tailThread`): the next is built once the followers
      // took the one before the last, so what waits for a peer is two steps, however much landed.
      const steps = tailThread(ports, threadId, f.seen, stepBytes);
      let before: Promise<boolean> | null = null;
      while (!closed && threads.get(threadId) === f) {
        const step = await run(steps.next);
        if (E.isLeft(step)) return options.onError?.(threadId, step.left);
        if (step.right === null) return;
        f.seen = step.right.seen;
        garbage.read(step.right.bytes);
        if (step.right.notifications.length === 0) continue;
        const messages = step.right.notifications.map((n) => ({
          jsonrpc: '2.0',
          method: n.method,
          params: n.params,
          emittedAtMs: Date.now(),
        }));
        const sent = takenBySome([...f.followers].map((c) => c.send(messages)));
        await holdPoint('live.step.sent');
        // Every follower refused the step before (dropped, gone): nobody is left to tell.
        if (before !== null && !(await paced(threadId, f, before))) return;
        before = sent;
        // A turn of the event loop between steps: a look whose sends never wait (a WebSocket whose
        // peer keeps up) is otherwise one chain of promises, and V8's tasks on the loop that free
        // the sent messages' buffers wait behind it (a burst of large turns grew the peak far more without it).
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      f.running = false;
      if (f.again && !closed && threads.get(threadId) === f) {
        f.again = false;
        schedule(threadId);
      }
    }
  };

  const schedule = (threadId: string): void => {
    const f = threads.get(threadId);
    if (f === undefined || closed) return;
    if (f.running) {
      f.again = true;
      f.nudge?.();
    } else f.timer ??= setTimeout(() => void look(threadId, f), LIVE_DEBOUNCE_MS);
  };

  const drop = (threadId: string, c: Connection): boolean => {
    const f = threads.get(threadId);
    if (f === undefined || !f.followers.delete(c)) return false;
    if (f.followers.size === 0) {
      if (f.timer !== null) clearTimeout(f.timer);
      threads.delete(threadId);
    }
    return true;
  };

  return {
    connect: (send) => {
      const c: Connection = { send };
      const mine = new Set<string>();
      return {
        subscribe: (threadId) =>
          useCase(async () => {
            const known = threads.get(threadId);
            if (known !== undefined) {
              known.followers.add(c);
              mine.add(threadId);
              return;
            }
            // The first follower: what the thread holds now counts as told.
            const { startTail } = await loadTail();
            const seen = await take(run(startTail(ports, threadId)));
            const f = threads.get(threadId) ?? {
              followers: new Set<Connection>(),
              seen,
              timer: null,
              running: false,
              again: false,
              nudge: null,
            };
            threads.set(threadId, f);
            f.followers.add(c);
            mine.add(threadId);
          })(),
        unsubscribe: (threadId) => {
          if (!threads.has(threadId)) return 'notLoaded';
          if (!mine.delete(threadId)) return 'notSubscribed';
          drop(threadId, c);
          return 'unsubscribed';
        },
        changed: schedule,
        close: () => {
          for (const threadId of mine) drop(threadId, c);
          mine.clear();
        },
      };
    },
    fileChanged: (path) => {
      const name = parseRolloutFileName(nodePath.basename(path));
      if (name !== undefined) schedule(name.threadId);
    },
    close: () => {
      closed = true;
      for (const f of threads.values()) if (f.timer !== null) clearTimeout(f.timer);
      threads.clear();
    },
  };
};
