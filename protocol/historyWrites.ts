import * as t from 'io-ts';
import type { Thread } from '../domain/thread/thread.js';
import type { Turn } from '../domain/thread/turn.js';
import type { ThreadSettingsFields } from '../domain/thread/threadMeta.js';
import { ReviewTarget } from '../domain/review/reviewTarget.js';
import { U32, optional } from './jsonRpc.js';
import { method, threadScope } from './methodEntry.js';
import { NO_ROLLOUT } from './threadIdRule.js';
import type { ThreadResult } from './threads.js';

/** `thread/fork` params; `rollout-engine fork` decodes its options with it too. */
export const ThreadForkParams = t.partial({
  threadId: optional(t.string),
  path: optional(t.string),
  lastTurnId: optional(t.string),
  beforeTurnId: optional(t.string),
  excludeTurns: optional(t.boolean),
});

/** What `thread/fork` answers (and `rollout-engine fork --json` prints): the fork as a thread Codex holds loaded, and the settings it starts with (Codex's `ThreadForkResponse`). */
export type ThreadForkResult = { readonly thread: Thread } & ThreadSettingsFields;

/** `thread/fork`: a new thread with the source's history (all of it, or before a turn). */
export const threadForkMethod = method<ThreadForkResult>()({
  name: 'thread/fork',
  // Codex's words (0.169.0).
  paginatedFullHistoryNotice:
    'Full-history hydration is deprecated for paginated threads; use `excludeTurns: true`, then page with `thread/turns/list` and `thread/items/list`.',
  params: ThreadForkParams,
  // As Codex (`thread_or_path`): a fork waits for the source thread's other requests, as a write.
  scope: (p) =>
    p.threadId != null
      ? threadScope(p.threadId, 'write')
      : p.path != null
        ? { key: `path:${p.path}`, access: 'write' }
        : null,
  // Codex takes the source by its session id (a fork by `path` has none to check).
  threadId: { what: 'session', unknown: NO_ROLLOUT },
});

/** `thread/revert` params; `rollout-engine revert` decodes its options with it too. */
export const ThreadRevertParams = t.type({ threadId: t.string, beforeTurnId: t.string });

/** What `thread/revert` answers (Codex's `ThreadRevertResponse`). */
export interface ThreadRevertResult {
  /** The thread after the revert (`turns: []`, as Codex answers). */
  readonly thread: Thread;
  /** Desc cursors that include the last kept turn / item (null when nothing is kept). */
  readonly turnsBackwardsCursor: string | null;
  readonly itemsBackwardsCursor: string | null;
}

/** `thread/revert`: a revision file keeping the history before `beforeTurnId`; then `thread/reverted`. */
export const threadRevertMethod = method<ThreadRevertResult>()({
  name: 'thread/revert',
  params: ThreadRevertParams,
  scope: (p) => threadScope(p.threadId, 'write'),
});

/** `thread/rollback` params (earlier Codex: `numTurns` a u32); `rollout-engine rollback` decodes its options with it too. */
export const ThreadRollbackParams = t.type({ threadId: t.string, numTurns: U32 });

/** `thread/rollback` (earlier Codex): drop the last `numTurns` turns; the thread with the rest. */
export const threadRollbackMethod = method<ThreadResult>()({
  name: 'thread/rollback',
  ours: true,
  params: ThreadRollbackParams,
  scope: (p) => threadScope(p.threadId, 'write'),
});

/** `review/start` params; `rollout-engine review` decodes its options with it too. */
export const ReviewStartParams = t.intersection([
  t.type({ threadId: t.string, target: ReviewTarget }),
  t.partial({ delivery: optional(t.keyof({ inline: null, detached: null })) }),
]);

/** What `review/start` answers (Codex's `ReviewStartResponse`). */
export interface ReviewStartResult {
  /** The review turn, running (`status: inProgress`): the engine runs no model. */
  readonly turn: Turn;
  /** The thread the review runs in: the parent (inline) or the new review thread (detached). */
  readonly reviewThreadId: string;
}

/** `review/start`: the review turn starts inline in the thread or in a new detached review thread. */
export const reviewStartMethod = method<ReviewStartResult>()({
  name: 'review/start',
  withUpstream: 'upstream',
  params: ReviewStartParams,
  scope: (p) => threadScope(p.threadId, 'write'),
});

/** A whole number from 0 to 2^53 - 1 (a thread's ordinal outgrows a u32 only in theory, but may). */
const isOrdinal = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
const Ordinal = new t.Type<number, number, unknown>(
  'a whole number from 0 to 9007199254740991',
  isOrdinal,
  (u, c) => (isOrdinal(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
const NonEmptyString = t.refinement(t.string, (s) => s.length > 0, 'a non-empty string');

/**
 * `rollout/append` params (the engine's own method, not Codex's): rollout lines as they are to be
 * stored (strings, one JSON line each), the ordinal the first one gets, and a key that makes a
 * retry safe. `rollout-engine append` decodes its options with it too.
 */
export const RolloutAppendParams = t.type({
  threadId: t.string,
  lines: t.array(t.string),
  expectedOrdinal: Ordinal,
  idempotencyKey: NonEmptyString,
});
export type RolloutAppendParams = t.TypeOf<typeof RolloutAppendParams>;

/** What `rollout/append` answers: where the lines went and the new end (`ordinal`, `byteOffset`: what the next append expects). */
export interface RolloutAppendResult {
  readonly threadId: string;
  readonly path: string;
  /** The thread's ordinal of the first line written (paginated: the lines' `ordinal`; legacy: the file's line index). */
  readonly firstOrdinal: number;
  readonly lines: number;
  /** The new end: the ordinal and byte offset the next append expects. */
  readonly ordinal: number;
  readonly byteOffset: number;
}

/** `rollout/append`: append to a thread's current rollout file through the locked writer, indexed before the answer. */
export const rolloutAppendMethod = method<RolloutAppendResult>()({
  name: 'rollout/append',
  ours: true,
  params: RolloutAppendParams,
  scope: (p) => threadScope(p.threadId, 'write'),
});
