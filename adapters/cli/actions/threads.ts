import type { Command } from 'commander';
import { pageCommandOf } from '../commandLine.js';
import type { Thread } from '../../../domain/thread/thread.js';
import { DEFAULT_THREAD_SORT_KEY, listThreads } from '../../../replay/listThreads.js';
import type { ThreadListing } from '../../../replay/listThreads.js';
import type { ThreadSortKey } from '../../../replay/internal/threadListCursor.js';
import { SourceKind, ThreadListParams } from '../../../protocol/threads.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { pageHints } from '../renderHistory.js';

interface ThreadsOptions extends HomeOptions {
  readonly limit?: string;
  readonly cursor?: string;
  readonly sort?: string;
  readonly asc?: boolean;
  readonly archived?: boolean;
  readonly search?: string;
  readonly cwd?: string;
  readonly allSources?: boolean;
}

/** The option each `thread/list` param comes from, to name it when the codec refuses it. */
const OPTION_OF = {
  limit: '--limit',
  cursor: '--cursor',
  sortKey: '--sort',
  sortDirection: '--asc',
  archived: '--archived',
  searchTerm: '--search',
  cwd: '--cwd',
  sourceKinds: '--all-sources',
};

/** Every source kind `thread/list` takes: what `--all-sources` asks for. */
const ALL_SOURCE_KINDS = Object.keys(SourceKind.keys);

/** The Thread field holding each sort key's timestamp: the time column shows the one rows are sorted by. */
const SORT_FIELD: Readonly<Record<ThreadSortKey, 'createdAt' | 'updatedAt' | 'recencyAt'>> = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  recency_at: 'recencyAt',
};

const isoSeconds = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** The listing for a person: a header naming the columns (and the sort key), one line a thread. */
const threadLines = (threads: ReadonlyArray<Thread>, sortKey: ThreadSortKey): string[] => {
  if (threads.length === 0) return ['no threads'];
  const field = SORT_FIELD[sortKey];
  return [
    `${'thread id'.padEnd(36)}  ${`${sortKey} (UTC)`.padEnd(20)}  ${'mode'.padEnd(9)}  name or preview`,
    ...threads.map((t) => `${t.id}  ${isoSeconds(t[field]).padEnd(20)}  ${t.historyMode.padEnd(9)}  ${(t.name ?? t.preview).replace(/\s+/g, ' ')}`),
  ];
};

/** What the default source filter hid, and how to see it (the list says nothing of it otherwise). */
const hiddenNote = (hidden: ThreadListing['hiddenBySource']): string[] => {
  const kinds = Object.entries(hidden ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return [];
  return [`${total} thread${total === 1 ? '' : 's'} hidden by the source filter (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}); --all-sources lists them`];
};

/** What `rollout-engine threads` does (loaded by its action only). */
export const action = (opts: ThreadsOptions, cmd: Command) =>
  withRequest(
    opts,
    decodeRequest(
      ThreadListParams,
      {
        limit: numberOption(opts.limit),
        cursor: opts.cursor,
        sortKey: opts.sort,
        sortDirection: opts.asc ? 'asc' : undefined,
        archived: opts.archived,
        searchTerm: opts.search,
        cwd: opts.cwd,
        sourceKinds: opts.allSources ? ALL_SOURCE_KINDS : undefined,
      },
      OPTION_OF,
    ),
    (q) =>
      runOnHome(opts, (home) => listThreads(home.read, q ?? {}, { countHidden: true }), {
        text: (l) => [...threadLines(l.page.data, q?.sortKey ?? DEFAULT_THREAD_SORT_KEY), ...pageHints(l.page, pageCommandOf(cmd, '--asc'))].join('\n'),
        json: (l) => l.page,
        notes: (l) => hiddenNote(l.hiddenBySource),
      }),
  );
