import * as t from 'io-ts';
import { searchThreads } from '../../../replay/searchThreads.js';
import { defineMethod } from '../method.js';
import { SortDirection, U32, optional } from '../protocol.js';
import { SortKey, SourceKind } from './threadList.js';

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
export const threadSearch = defineMethod({
  name: 'thread/search',
  params: ThreadSearchParams,
  scope: () => null,
  handle: (ctx, p) => searchThreads(ctx.ports, p),
});
