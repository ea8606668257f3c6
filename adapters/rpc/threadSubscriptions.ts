import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import type { MutationPorts } from '../../replay/ports.js';
import type { TailState } from '../../replay/history/tailThread.js';
import { parseRolloutFileName } from '../jsonl/rolloutFileName.js';

/** Codex's `thread/unsubscribe` statuses. */
export type { UnsubscribeStatus } from '../../protocol/threads.js';
import type { UnsubscribeStatus } from '../../protocol/threads.js';

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
 * what landed since its followers were last told, sent to each as Codex sends it (with
 * `emittedAtMs`). Nothing runs while nothing changes: no polling.
 */
export interface ThreadSubscriptions {
  /** A connection: `send` takes what one look at a thread found for it, in order (its transport's bound counts them as one group). */
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
}

interface Connection {
  readonly send: (messages: ReadonlyArray<unknown>) => Promise<void>;
}

export interface ThreadSubscriptionsOptions {
  /** Runs a look ahead of a backfill running behind (`OpenCodexHome.aheadOfBackfill`). */
  readonly run?: <A>(work: () => Promise<A>) => Promise<A>;
  /** Told of a look that failed (the thread is looked at again on its next change). */
  readonly onError?: (threadId: string, error: EngineError) => void;
}

/**
 * The tail use cases, loaded when a thread is first followed: they bring in the domain's folds,
 * which `serve` need not load before it answers `initialize`.
 */
let tailUseCases: Promise<typeof import('../../replay/history/tailThread.js')> | undefined;
const loadTail = (): Promise<typeof import('../../replay/history/tailThread.js')> => (tailUseCases ??= import('../../replay/history/tailThread.js'));

export const threadSubscriptions = (ports: MutationPorts, options: ThreadSubscriptionsOptions = {}): ThreadSubscriptions => {
  const threads = new Map<string, Followed>();
  const run = options.run ?? ((work) => work());
  let closed = false;

  const look = async (threadId: string, f: Followed): Promise<void> => {
    f.timer = null;
    if (f.running) {
      f.again = true;
      return;
    }
    f.running = true;
    try {
      const { tailThread } = await loadTail();
      const told = await run(tailThread(ports, threadId, f.seen));
      if (E.isLeft(told)) return options.onError?.(threadId, told.left);
      f.seen = told.right.seen;
      const messages = told.right.notifications.map((n) => ({ jsonrpc: '2.0', method: n.method, params: n.params, emittedAtMs: Date.now() }));
      if (messages.length > 0) for (const c of f.followers) void c.send(messages).catch(() => undefined);
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
    if (f.running) f.again = true;
    else f.timer ??= setTimeout(() => void look(threadId, f), LIVE_DEBOUNCE_MS);
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
        subscribe: async (threadId) => {
          const known = threads.get(threadId);
          if (known !== undefined) {
            known.followers.add(c);
            mine.add(threadId);
            return E.right(undefined);
          }
          // The first follower: what the thread holds now counts as told.
          const { startTail } = await loadTail();
          const seen = await run(startTail(ports, threadId));
          if (E.isLeft(seen)) return seen;
          const f = threads.get(threadId) ?? { followers: new Set<Connection>(), seen: seen.right, timer: null, running: false, again: false };
          threads.set(threadId, f);
          f.followers.add(c);
          mine.add(threadId);
          return E.right(undefined);
        },
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
