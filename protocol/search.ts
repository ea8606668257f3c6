import * as t from 'io-ts';
import { SortDirection, U32, optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';
import { SortKey, SourceKind } from './threads.js';

/** `thread/search` params (Codex's `ThreadSearchParams`); `rollout-engine search` decodes its options with it too. */
export const ThreadSearchParams = t.intersection([
  t.type({ searchTerm: t.string }),
  t.partial({
    includeAttachedThreads: t.boolean,
    currentAccountOnly: t.boolean,
    cursor: optional(t.string),
    limit: optional(U32),
    sortKey: optional(SortKey),
    sortDirection: optional(SortDirection),
    sourceKinds: optional(t.array(SourceKind)),
    archived: optional(t.boolean),
  }),
]);

/** `thread/search`: threads whose current rollout file holds the term in a user or assistant message, in list order, with a snippet. */
export const threadSearchMethod = method()({ name: 'thread/search', params: ThreadSearchParams, scope: unscoped });

/** `thread/searchOccurrences` params (Codex's `ThreadSearchOccurrencesParams`); `rollout-engine search --thread` decodes its options with it too. */
export const ThreadSearchOccurrencesParams = t.intersection([
  t.type({ threadId: t.string, searchTerm: t.string }),
  t.partial({ cursor: optional(t.string), limit: optional(U32) }),
]);

/** `thread/searchOccurrences`: the term's occurrences in one thread's visible messages, oldest first, one page. */
export const threadSearchOccurrencesMethod = method()({ name: 'thread/searchOccurrences', params: ThreadSearchOccurrencesParams, scope: unscoped });
