import * as t from 'io-ts';
import type { Thread } from '../domain/thread/thread.js';
import type { ReadState } from '../domain/threadState/threadStateEvent.js';
import { SortDirection, U32, optional } from './jsonRpc.js';
import { method, threadScope, unscoped } from './methodEntry.js';
import { NOT_LOADED } from './threadIdRule.js';

export const SortKey = t.keyof({ created_at: null, updated_at: null, recency_at: null, section_position: null });
export const SourceKind = t.keyof({
  cli: null,
  vscode: null,
  exec: null,
  appServer: null,
  subAgent: null,
  subAgentReview: null,
  subAgentCompact: null,
  subAgentThreadSpawn: null,
  subAgentOther: null,
  unknown: null,
});
export type SourceKind = t.TypeOf<typeof SourceKind>;

/** `thread/list` params; `rollout-engine threads` decodes its options with it too. */
export const ThreadListParams = optional(
  t.partial({
    cursor: optional(t.string),
    limit: optional(U32),
    sortKey: optional(SortKey),
    sortDirection: optional(SortDirection),
    modelProviders: optional(t.array(t.string)),
    sourceKinds: optional(t.array(SourceKind)),
    archived: optional(t.boolean),
    cwd: optional(t.union([t.string, t.array(t.string)], 'ThreadListCwdFilter')),
    searchTerm: optional(t.string),
    excludedThreadIds: optional(t.array(t.string)),
    /** Only these threads (at most 100; `[]` matches nothing), exclusions still applied: Codex 0.171.0 on (`deltas`). */
    includedThreadIds: optional(t.array(t.string)),
    /** Answer from the index as it stands, without looking for new or changed files first. */
    useStateDbOnly: optional(t.boolean),
    /** Threads a thread spawned (its sub-agents), and all their descendants. */
    parentThreadId: optional(t.string),
    ancestorThreadId: optional(t.string),
    /** Codex's attached threads and sections live in its state DB only: no rollout holds one. */
    attachedToThreadId: optional(t.string),
    includeAttachedThreads: optional(t.boolean),
    sectionId: optional(t.string),
    /** Refused as Codex's local app-server refuses them. */
    projectId: optional(t.string),
    originators: optional(t.array(t.string)),
  }),
);

/** The answer of a method that changes a thread and answers it as `thread/read` then shows it, without turns (`thread/unarchive`, `thread/metadata/update`, `thread/rollback`). */
export interface ThreadResult {
  readonly thread: Thread;
}

/** A page of threads, as `thread/list` answers it (Codex's `ThreadListResponse`). */
export interface ThreadListPage {
  readonly data: Thread[];
  /** Read receipts of the page's threads that have one, by thread id. */
  readonly readStates: Record<string, ReadState>;
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

/** `thread/list`: threads with a first user message, filtered and sorted, one page (Codex's answer: the page alone). */
export const threadListMethod = method<ThreadListPage>()({
  name: 'thread/list',
  params: ThreadListParams,
  scope: unscoped,
  deltas: [
    // 0.171.0's schema (ThreadListParams.includedThreadIds) and its app-server's answers, measured
    // (test/compat/codexVersions.compat.spec.ts); 0.169.0 ignores the field, as serde does.
    {
      kind: 'paramAdded',
      since: '0.171.0',
      param: 'includedThreadIds',
      source: 'codex-rs/app-server-protocol/src/protocol/v2.rs (ThreadListParams)',
    },
  ],
});

/** `thread/read` params; `rollout-engine read` decodes its arguments with it too. */
export const ThreadReadParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({ includeTurns: optional(t.boolean) }),
]);

/** What `thread/read` answers (Codex's `ThreadReadResponse`): the thread (its turns when asked) and its read receipt, null where a thread has none. */
export interface ThreadReadResult {
  readonly thread: Thread;
  readonly readState: ReadState | null;
}

/** `thread/read`: the thread, and every turn when `includeTurns`. */
export const threadReadMethod = method<ThreadReadResult>()({
  name: 'thread/read',
  // Codex's words (0.169.0).
  paginatedFullHistoryNotice:
    'Full-history hydration is deprecated for paginated threads; omit `includeTurns` or set it to `false`, then page with `thread/turns/list` and `thread/items/list`.',
  params: ThreadReadParams,
  // Codex runs it exclusively on the thread; a read needs no more than to wait for the thread's writes.
  scope: (p) => threadScope(p.threadId, 'read'),
  threadId: { what: 'thread', unknown: NOT_LOADED },
});

/** `rolloutEngine/thread/tree` params. */
export const ThreadTreeParams = t.type({ threadId: t.string });

/** How a thread came from its parent in the tree. */
export type ThreadTreeRelation = 'root' | 'fork' | 'review' | 'subAgent';

/** One thread of a family and the threads below it. */
export interface ThreadTreeNode {
  readonly id: string;
  readonly name: string | null;
  readonly preview: string;
  readonly createdAt: number;
  readonly archived: boolean;
  readonly relation: ThreadTreeRelation;
  readonly children: ThreadTreeNode[];
}

/** What `rolloutEngine/thread/tree` answers: the family of the thread asked about, from its oldest ancestor. */
export interface ThreadTree {
  readonly threadId: string;
  readonly root: ThreadTreeNode;
}

/** `rolloutEngine/thread/tree` (our namespace: Codex has no such method): the thread's family, as the viewer draws it. */
export const threadTreeMethod = method<ThreadTree>()({
  name: 'rolloutEngine/thread/tree',
  ours: true,
  params: ThreadTreeParams,
  // A read over every thread row, as thread/list: runs with anything.
  scope: unscoped,
});

export const ThreadLoadedListParams = optional(t.partial({ cursor: optional(t.string), limit: optional(U32) }));

/** A page of loaded thread ids, as `thread/loaded/list` answers it (Codex's `ThreadLoadedListResponse`). */
export interface ThreadLoadedPage {
  readonly data: string[];
  readonly nextCursor: string | null;
}

/** `thread/loaded/list`: the threads this server holds loaded, a page at a time. */
export const threadLoadedListMethod = method<ThreadLoadedPage>()({
  name: 'thread/loaded/list',
  withUpstream: 'upstream',
  params: ThreadLoadedListParams,
  scope: unscoped,
});

/** `rolloutEngine/thread/subscribe` params. */
export const ThreadSubscribeParams = t.type({ threadId: t.string });

/** `rolloutEngine/thread/subscribe` (our namespace): this connection follows the thread's live notifications. */
export const threadSubscribeMethod = method<{ status: 'subscribed' }>()({
  name: 'rolloutEngine/thread/subscribe',
  ours: true,
  params: ThreadSubscribeParams,
  scope: (p) => threadScope(p.threadId, 'read'),
});

/** `thread/unsubscribe` params, as Codex 0.169.0 defines them. */
export const ThreadUnsubscribeParams = t.type({ threadId: t.string });

/** Codex's answers to `thread/unsubscribe`. */
export type UnsubscribeStatus = 'unsubscribed' | 'notSubscribed' | 'notLoaded';

/** `thread/unsubscribe`: this connection stops following the thread. */
export const threadUnsubscribeMethod = method<{ status: UnsubscribeStatus }>()({
  name: 'thread/unsubscribe',
  withUpstream: 'upstream',
  params: ThreadUnsubscribeParams,
  scope: (p) => threadScope(p.threadId, 'read'),
});

/** The most threads (or turns) one engine-only lookup below takes: a page of `thread/list` at its largest. */
export const MAX_LOOKUP_IDS = 100;

const LookupIds = t.refinement(
  t.array(t.string),
  (ids) => ids.length <= MAX_LOOKUP_IDS,
  `at most ${MAX_LOOKUP_IDS} ids`,
);

/** `rolloutEngine/threads/forkedFrom` params: the threads to look up (a listed page's ids). */
export const ThreadsForkedFromParams = t.type({ threadIds: LookupIds });

/** Which of the threads asked for are forks, each with the thread it was forked from (absent: not a fork, or not in the index). */
export interface ThreadsForkedFrom {
  readonly forkedFrom: Readonly<Record<string, string>>;
}

/**
 * `rolloutEngine/threads/forkedFrom` (our namespace): the lineage `thread/list` rows leave out.
 * Codex's listed threads carry no `forkedFromId` (its list reads its state DB's rows), so a list
 * that marks forks asks the index for it here, a page at a time.
 */
export const threadsForkedFromMethod = method<ThreadsForkedFrom>()({
  name: 'rolloutEngine/threads/forkedFrom',
  ours: true,
  params: ThreadsForkedFromParams,
  // Reads thread rows, as thread/list: runs with anything.
  scope: unscoped,
});

/** `rolloutEngine/thread/itemKinds` params: a thread and some of its turns. */
export const ThreadItemKindsParams = t.type({ threadId: t.string, turnIds: LookupIds });

/** Each turn asked for (that the thread's history has): how many items of each kind (`commandExecution`, `reasoning`, …) it holds. */
export interface ThreadItemKinds {
  readonly turns: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Of those, the items a read shows `status: "failed"`, by kind: only turns and kinds that have one. */
  readonly failed: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * `rolloutEngine/thread/itemKinds` (our namespace): what a turn holds, by kind, from the index
 * alone (no rollout bytes read): a collapsed turn's badges, which a `summary` page (a turn's first
 * user and last agent message, as Codex's) cannot give.
 */
export const threadItemKindsMethod = method<ThreadItemKinds>()({
  name: 'rolloutEngine/thread/itemKinds',
  ours: true,
  params: ThreadItemKindsParams,
  // As thread/turns/list: reads of append-only rollouts and the index run with anything.
  scope: unscoped,
});
