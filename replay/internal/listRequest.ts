import { pathKey } from '../../domain/thread/pathKey.js';
import type { EngineError } from '../../domain/errors.js';
import { aboutThread, refusedValue, rejected } from '../../domain/errors.js';
import { uuidSyntaxError } from '../../domain/thread/threadId.js';
import type { ListOrder } from '../../domain/ports.js';
import { codexAbsolutePath } from '../../domain/thread/hostPath.js';
import type { HostPaths } from '../../domain/thread/hostPath.js';
import type { ThreadSortKey } from './threadListCursor.js';
import type { ParamsOf } from '../../protocol/methods.js';

// A `thread/list` query read once, Codex's defaults filled in and its refusals said (history/listThreads.ts lists by it).

/** What `thread/list` asks (the protocol's params, given). */
export type ListThreadsQuery = NonNullable<ParamsOf<'thread/list'>>;

export const DEFAULT_THREAD_SORT_KEY: ThreadSortKey = 'created_at';
export const DEFAULT_THREAD_LIST_LIMIT = 25;
export const MAX_THREAD_LIST_LIMIT = 100;

/** Sources listed when none are asked for: the interactive ones (not exec, not sub-agents). */
const INTERACTIVE: ReadonlySet<string> = new Set(['cli', 'vscode']);

/** What a `thread/list` query asks, Codex's defaults filled in: one reading for the use case and its test oracle. */
export interface ListRequest {
  readonly sortKey: ThreadSortKey;
  readonly direction: 'asc' | 'desc';
  readonly limit: number;
  readonly order: ListOrder;
  readonly kinds: ReadonlySet<string>;
  readonly providers: ReadonlySet<string> | null;
  readonly cwds: ReadonlySet<string> | null;
  readonly excluded: ReadonlySet<string>;
  /** `includedThreadIds`: only these (null: every thread). */
  readonly included: ReadonlySet<string> | null;
  readonly archived: boolean;
  readonly term: string;
  /** 1 ascending, -1 descending: multiplies a key difference into list order. */
  readonly sign: 1 | -1;
  /**
   * Whether Codex filters the listing by its metadata (sources its storage can filter, providers,
   * folders, a search term). Without, its file-scan path answers the state DB's page instead
   * (codex-rs/rollout/src/recorder.rs, `list_threads_with_db_fallback`'s `listing_has_metadata_filters`).
   */
  readonly metadataFiltered: boolean;
}

/**
 * Source kinds Codex's storage cannot filter: asking for one leaves its storage filter empty and
 * filters the kinds after (codex-rs/app-server/src/filters.rs, `compute_source_filters`).
 */
export const POST_FILTERED_KINDS: ReadonlySet<string> = new Set([
  'exec',
  'appServer',
  'subAgent',
  'subAgentReview',
  'subAgentCompact',
  'subAgentThreadSpawn',
  'subAgentOther',
  'unknown',
]);

/**
 * What Codex 0.169's local app-server refuses of a `thread/list` query, in its code and words:
 * ids that are not UUIDs, a project (it has none), originators, section order without a section,
 * attached threads without a search term.
 */
export const listRefusal = (q: ListThreadsQuery): EngineError | undefined => {
  const ids: ReadonlyArray<readonly [string | null | undefined, string]> = [
    [q?.parentThreadId, 'parent thread'],
    [q?.ancestorThreadId, 'ancestor thread'],
    [q?.attachedToThreadId, 'attached thread parent'],
  ];
  for (const [id, what] of ids) {
    const why = id === null || id === undefined ? undefined : uuidSyntaxError(id);
    if (why !== undefined) return rejected(`invalid ${what} id: ${why}`);
  }
  // As Codex 0.171.0 refuses them (measured): more than 100 entries (duplicates counted), then an id that is no UUID.
  if (q?.includedThreadIds && q.includedThreadIds.length > MAX_INCLUDED_THREAD_IDS)
    return refusedValue('includedThreadIds', `includedThreadIds accepts at most ${MAX_INCLUDED_THREAD_IDS} entries`);
  for (const id of q?.includedThreadIds ?? []) {
    const why = uuidSyntaxError(id);
    if (why !== undefined)
      return aboutThread(refusedValue('includedThreadIds', `invalid included thread id: ${why}`), id, 'malformedId');
  }
  if (q?.projectId !== null && q?.projectId !== undefined)
    return refusedValue('projectId', `project not found: ${q.projectId}`);
  if (q?.originators && q.originators.length > 0)
    return refusedValue('originators', 'originator filtering is not supported by the local app-server');
  if (q?.sortKey === 'section_position' && (q.sectionId === null || q.sectionId === undefined))
    return rejected('section-position sorting requires a section filter');
  if (q?.includeAttachedThreads === true && (q.searchTerm ?? '').trim() === '')
    return rejected('includeAttachedThreads requires a non-empty searchTerm');
  return undefined;
};

/** The most ids `includedThreadIds` takes (Codex 0.171.0). */
const MAX_INCLUDED_THREAD_IDS = 100;

/**
 * Filters no rollout can meet: sections and attached threads exist only in Codex's state DB.
 * (An empty originator list filters nothing, as in Codex.)
 */
export const listsNothing = (q: ListThreadsQuery): boolean =>
  (q?.sectionId !== null && q?.sectionId !== undefined) ||
  (q?.attachedToThreadId !== null && q?.attachedToThreadId !== undefined);

/**
 * The providers a list keeps: those asked for; none asked (absent or null), the configured one,
 * except under a spawn-tree filter; an empty list, every provider. Codex 0.169
 * (codex-rs/app-server/src/request_processors/thread_processor.rs, `thread_list`'s
 * `model_provider_filter`; `config.model_provider_id` from codex-rs/core/src/config/mod.rs).
 */
const providersOf = (q: ListThreadsQuery, configuredProvider: string): ReadonlySet<string> | null => {
  if (q.modelProviders !== null && q.modelProviders !== undefined)
    return q.modelProviders.length > 0 ? new Set(q.modelProviders) : null;
  const spawnTree =
    (q.parentThreadId !== null && q.parentThreadId !== undefined) ||
    (q.ancestorThreadId !== null && q.ancestorThreadId !== undefined);
  return spawnTree ? null : new Set([configuredProvider]);
};

/**
 * `configuredProvider`: the provider the home's configuration selects (`HistoryReadPorts.configuredModelProvider`).
 * `hostPaths`: a `cwd` filter is resolved against them, as Codex reads it (an `AbsolutePathBuf`), and
 * compared with the meta's cwd as the file holds it (measured on 0.169.0: a filter `proj/y`, or the
 * resolved path a relative meta cwd is answered as, lists nothing; `/work/x/../project/.` lists the
 * threads of `/work/project`: foldRules.compat.spec.ts).
 */
export const listRequestOf = (q: ListThreadsQuery, configuredProvider: string, hostPaths?: HostPaths): ListRequest => {
  // Section order needs a section, and then the list is empty (`listsNothing`): the default order stands in.
  const sortKey: ThreadSortKey =
    q.sortKey === null || q.sortKey === undefined || q.sortKey === 'section_position'
      ? DEFAULT_THREAD_SORT_KEY
      : q.sortKey;
  const direction = q.sortDirection ?? 'desc';
  const kinds: ReadonlySet<string> =
    q.sourceKinds && q.sourceKinds.length > 0 ? new Set<string>(q.sourceKinds) : INTERACTIVE;
  const providers = providersOf(q, configuredProvider);
  const cwds =
    q.cwd === null || q.cwd === undefined
      ? null
      : new Set(
          (typeof q.cwd === 'string' ? [q.cwd] : q.cwd).map((c) =>
            pathKey(hostPaths === undefined ? c : codexAbsolutePath(c, hostPaths)),
          ),
        );
  const term = q.searchTerm ?? '';
  return {
    sortKey,
    direction,
    limit:
      q.limit === null || q.limit === undefined
        ? DEFAULT_THREAD_LIST_LIMIT
        : Math.min(Math.max(q.limit, 1), MAX_THREAD_LIST_LIMIT),
    order: { key: sortKey === 'created_at' ? 'created' : sortKey === 'updated_at' ? 'updated' : 'recency', direction },
    kinds,
    providers,
    cwds,
    excluded: new Set(q.excludedThreadIds ?? []),
    included: q.includedThreadIds === null || q.includedThreadIds === undefined ? null : new Set(q.includedThreadIds),
    archived: q.archived === true,
    term,
    sign: direction === 'asc' ? 1 : -1,
    metadataFiltered:
      ![...kinds].some((k) => POST_FILTERED_KINDS.has(k)) || providers !== null || cwds !== null || term !== '',
  };
};
