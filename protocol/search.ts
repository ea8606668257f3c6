import * as t from 'io-ts';
import type { Thread } from '../domain/thread/thread.js';
import type { SnippetContext } from '../domain/search/literalMatch.js';
import { ruleChangedAt } from './codexVersions.js';
import type { CodexVersion, Versioned } from './codexVersions.js';
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

/** One thread found, with the first snippet of its text holding the term (Codex's `ThreadSearchResult`). */
export interface ThreadSearchResult {
  readonly thread: Thread;
  readonly snippet: string;
}

/** A page of threads found, as `thread/search` answers it (Codex's `ThreadSearchResponse`). */
export interface ThreadSearchPage {
  readonly data: ThreadSearchResult[];
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

/** `thread/search`: threads whose current rollout file holds the term in a user or assistant message, in list order, with a snippet. */
/**
 * 0.171.0 cuts a snippet's context (48 characters before the match, 96 after) from the message's
 * text before its whitespace is collapsed, where 0.169.0 cut it from the collapsed text: a message
 * with runs of whitespace near its match gets a shorter snippet (measured on both binaries:
 * test/compat/threadSearch.compat.spec.ts). `searchSnippetOf`'s `context`.
 */
export const SNIPPET_CUT_BEFORE_COLLAPSE = 'snippetCutBeforeCollapse';
const snippetDelta = {
  kind: 'ruleChanged',
  since: '0.171.0',
  rule: SNIPPET_CUT_BEFORE_COLLAPSE,
  // 0.169.0's `excerpt_around_match` cuts `normalize_preview_text`'s text; 0.171.0's cut is measured (no source at its tag here).
  source: 'codex-rs/rollout/src/search.rs (excerpt_around_match)',
} as const;

export const threadSearchMethod = method<ThreadSearchPage>()({
  name: 'thread/search',
  params: ThreadSearchParams,
  scope: unscoped,
  deltas: [snippetDelta],
});

/** The snippet cut a search method answers with at `version` (its declared `ruleChanged`): one reading for serve and the CLI. */
export const snippetContextAt = (entry: Versioned, version: CodexVersion): SnippetContext =>
  ruleChangedAt(entry, SNIPPET_CUT_BEFORE_COLLAPSE, version) ? 'messageText' : 'collapsedText';

/**
 * `thread/search/stream` (Codex 0.171.0): `thread/search`'s params and answer, the rows found sent
 * first as `thread/search/partial` notifications; served from the index like `thread/search`.
 */
export const threadSearchStreamMethod = method<ThreadSearchPage>()({
  name: 'thread/search/stream',
  params: ThreadSearchParams,
  scope: unscoped,
  deltas: [
    {
      kind: 'methodAdded',
      since: '0.171.0',
      source: 'codex-rs/app-server-protocol/src/protocol/v2.rs (ThreadSearchPartialNotification)',
    },
    snippetDelta,
  ],
});

/** `thread/search/cancel` and `thread/search/stream/cancel` params (Codex 0.171.0's `ThreadSearchCancelParams`): a request of this connection. */
// `requestId` is Codex's untagged `RequestId` (app-server-protocol jsonrpc_lite.rs), named so its refusal names it.
export const ThreadSearchCancelParams = t.type({ requestId: t.union([t.string, t.number], 'RequestId') });

/** What a cancel answers: nothing (Codex's `ThreadSearchCancelResponse`, `{}`), whether or not the request was running. */
export type ThreadSearchCancelResult = Record<string, never>;

/** `thread/search/cancel`: stops a running `thread/search` of the connection (Codex 0.171.0), which then answers `thread search cancelled`. */
export const threadSearchCancelMethod = method<ThreadSearchCancelResult>()({
  name: 'thread/search/cancel',
  params: ThreadSearchCancelParams,
  scope: unscoped,
  deltas: [
    {
      kind: 'methodAdded',
      since: '0.171.0',
      source: 'codex-rs/app-server-protocol/src/protocol/v2.rs (ThreadSearchCancelParams)',
    },
  ],
});

/** `thread/search/stream/cancel`: the same for a running `thread/search/stream` (Codex 0.171.0). */
export const threadSearchStreamCancelMethod = method<ThreadSearchCancelResult>()({
  name: 'thread/search/stream/cancel',
  params: ThreadSearchCancelParams,
  scope: unscoped,
  deltas: [
    {
      kind: 'methodAdded',
      since: '0.171.0',
      source: 'codex-rs/app-server-protocol/src/protocol/v2.rs (ThreadSearchCancelParams)',
    },
  ],
});

/** `thread/searchOccurrences` params (Codex's `ThreadSearchOccurrencesParams`); `rollout-engine search --thread` decodes its options with it too. */
export const ThreadSearchOccurrencesParams = t.intersection([
  t.type({ threadId: t.string, searchTerm: t.string }),
  t.partial({ cursor: optional(t.string), limit: optional(U32) }),
]);

/** One occurrence of the term in a visible message (Codex's `ThreadSearchOccurrence`). */
export interface ThreadSearchOccurrence {
  readonly turnId: string;
  readonly itemId: string;
  readonly snippet: string;
  /** Where the term is in `snippet`, in UTF-16 code units (`end` exclusive). */
  readonly snippetMatchRange: { readonly start: number; readonly end: number };
  /** Accepted by `thread/turns/list`: its page starts at this turn (the anchor included). */
  readonly turnCursor: string;
}

/** A page of occurrences, as `thread/searchOccurrences` answers it (Codex's `ThreadSearchOccurrencesResponse`). */
export interface ThreadSearchOccurrencesPage {
  readonly data: ThreadSearchOccurrence[];
  readonly nextCursor: string | null;
}

/** `thread/searchOccurrences`: the term's occurrences in one thread's visible messages, oldest first, one page. */
export const threadSearchOccurrencesMethod = method<ThreadSearchOccurrencesPage>()({
  name: 'thread/searchOccurrences',
  params: ThreadSearchOccurrencesParams,
  scope: unscoped,
});
