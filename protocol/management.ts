import * as t from 'io-ts';
import type { ReadState } from '../domain/threadState/threadStateEvent.js';
import { method, threadScope } from './methodEntry.js';
import { NO_ROLLOUT, NOT_LOADED } from './threadIdRule.js';
import type { ThreadResult } from './threads.js';

/** `thread/name/set` params; `rollout-engine name` decodes its arguments with it too. */
export const ThreadNameSetParams = t.type({ threadId: t.string, name: t.string });

/** `thread/name/set`: `{}`, then `thread/name/updated` with the name as stored (trimmed). */
export const threadNameSetMethod = method<Record<string, never>>()({
  name: 'thread/name/set',
  params: ThreadNameSetParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  threadId: { what: 'thread', unknown: NO_ROLLOUT },
});

/** `thread/archive` / `thread/unarchive` / `thread/delete` params; the CLI decodes its argument with it too. */
export const ThreadIdParams = t.type({ threadId: t.string });

/** `thread/archive`: `{}` and `thread/archived`. */
export const threadArchiveMethod = method<Record<string, never>>()({
  name: 'thread/archive',
  params: ThreadIdParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  threadId: { what: 'session', unknown: NO_ROLLOUT },
});

/** `thread/unarchive`: `{thread}`, then `thread/unarchived`. */
export const threadUnarchiveMethod = method<ThreadResult>()({
  name: 'thread/unarchive',
  params: ThreadIdParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  threadId: { what: 'session', unknown: (id) => `no archived rollout found for thread id ${id}` },
});

/** `thread/delete`: `{}` and `thread/deleted`. */
export const threadDeleteMethod = method<Record<string, never>>()({
  name: 'thread/delete',
  params: ThreadIdParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  threadId: { what: 'thread', unknown: NO_ROLLOUT },
});

/** A patch field: absent leaves it, null clears it, a string replaces it (io-ts keeps the three apart). */
const PatchField = t.union([t.string, t.null]);
export const GitInfoUpdate = t.partial({ sha: PatchField, branch: PatchField, originUrl: PatchField });

/** `thread/metadata/update` params; `rollout-engine metadata` decodes its options with it too. */
export const ThreadMetadataUpdateParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({
    projectId: t.union([t.string, t.null]),
    gitInfo: t.union([GitInfoUpdate, t.null]),
    daybreakEnabled: t.union([t.boolean, t.null]),
  }),
]);

/** `thread/metadata/update`: the stored git metadata patched; `{thread}` as `thread/read` shows it. */
export const threadMetadataUpdateMethod = method<ThreadResult>()({
  name: 'thread/metadata/update',
  params: ThreadMetadataUpdateParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  threadId: { what: 'thread', unknown: NO_ROLLOUT },
});

/** `thread/readState/update` params; `rollout-engine read-state` decodes its options with it too. */
export const ThreadReadStateUpdateParams = t.type({
  threadId: t.string,
  operation: t.type({ type: t.keyof({ read: null, unread: null }) }),
  expectedRevision: t.string,
});

/** `thread/readState/update`: `{readState}`; a stale revision is Codex's `readStateConflict` error. */
export const threadReadStateUpdateMethod = method<{ readState: ReadState }>()({
  name: 'thread/readState/update',
  params: ThreadReadStateUpdateParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  // Codex decodes the id with the params here: a bad one is -32602.
  threadId: { what: 'thread', refusedAs: 'params', unknown: NOT_LOADED },
});
