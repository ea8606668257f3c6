import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { listThreads } from '../../../replay/listThreads.js';
import type { ThreadListing } from '../../../replay/listThreads.js';
import { defineMethod } from '../method.js';
import { asLoaded } from '../../../domain/thread/thread.js';
import { SortDirection, U32, optional } from '../protocol.js';

export const SortKey = t.keyof({ created_at: null, updated_at: null, recency_at: null });
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
    cwd: optional(t.union([t.string, t.array(t.string)])),
    searchTerm: optional(t.string),
    excludedThreadIds: optional(t.array(t.string)),
    useStateDbOnly: optional(t.boolean),
  }),
);

/** `thread/list`: threads with a first user message, filtered and sorted, one page (Codex's answer: the page alone). */
export const threadList = defineMethod({
  name: 'thread/list',
  params: ThreadListParams,
  scope: () => null,
  handle: (ctx, p) =>
    TE.map((l: ThreadListing) => ({ ...l.page, data: l.page.data.map((t) => (ctx.loaded.has(t.id) ? asLoaded(t) : t)) }))(listThreads(ctx.ports, p ?? {})),
});
