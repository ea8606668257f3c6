import type { Thread } from '../../../../domain/thread/thread.js';
import type { ThreadListing } from '../../../../replay/history/listThreads.js';
import type { OpenCodexHome } from '../../composition/openCodexHome.js';
import type { ThreadSortKey } from '../../../../replay/internal/threadListCursor.js';
import { command } from '../commandSpec.js';
import { numberOption, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';
import { LISTED_TEXT_MAX, oneLineText, terminalText } from '../terminalText.js';

/** The Thread field holding each sort key's timestamp: the time column shows the one rows are sorted by. */
const SORT_FIELD: Readonly<Record<ThreadSortKey, 'createdAt' | 'updatedAt' | 'recencyAt'>> = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  recency_at: 'recencyAt',
};

const isoSeconds = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The listing for a person: a header naming the columns (and the sort key), one line a thread; a
 * fork ends with the thread it was forked from (`rolloutEngine/threads/forkedFrom`: the list's
 * rows, as Codex's, do not say), so it is told apart from its source even under the same title.
 * Each line is one line, its controls escaped, whatever the name or preview holds: its line breaks
 * shown as ` ↵ `, at most `LISTED_TEXT_MAX` characters of it (`oneLineText`).
 */
const threadLines = (
  threads: ReadonlyArray<Thread>,
  sortKey: ThreadSortKey,
  forkedFrom: Readonly<Record<string, string>>,
): string[] => {
  if (threads.length === 0) return ['no threads'];
  const field = SORT_FIELD[sortKey];
  return [
    `${'thread id'.padEnd(36)}  ${`${sortKey} (UTC)`.padEnd(20)}  ${'mode'.padEnd(9)}  name or preview`,
    ...threads.map((t) => {
      const source = forkedFrom[t.id];
      return `${terminalText(`${t.id}  ${isoSeconds(t[field]).padEnd(20)}  ${t.historyMode.padEnd(9)}`)}  ${oneLineText(t.name ?? t.preview, LISTED_TEXT_MAX)}${source === undefined ? '' : terminalText(`  [fork of ${source}]`)}`;
    }),
  ];
};

/** What the default source filter hid, and how to see it (the list says nothing of it otherwise). */
const hiddenNote = (hidden: ThreadListing['hiddenBySource']): string[] => {
  const kinds = Object.entries(hidden ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  const total = kinds.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return [];
  return [
    `${total} thread${total === 1 ? '' : 's'} hidden by the source filter (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}); --all-sources lists them`,
  ];
};

/** `rollout-engine threads`: `thread/list`, newest first. */
export const threadsCommand = command({
  name: 'threads',
  description: 'list threads as `thread/list` does',
  arguments: [],
  options: {
    limit: option('--limit <n>', 'page size (default 25, at most 100)', { param: 'limit', toParam: numberOption }),
    cursor: option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page', { param: 'cursor' }),
    sort: option('--sort <key>', 'created_at (default) | updated_at | recency_at', { param: 'sortKey' }),
    asc: option('--asc', 'oldest first', { param: 'sortDirection', toParam: (asc) => (asc ? 'asc' : undefined) }),
    archived: option('--archived', 'list archived threads instead', { param: 'archived' }),
    search: option('--search <term>', 'only threads whose name or preview contains this text', { param: 'searchTerm' }),
    cwd: option('--cwd <dir>', 'only threads started in this directory', { param: 'cwd' }),
    only: option('--only <threadId...>', 'only these threads (at most 100; Codex 0.171.0 and newer)', {
      param: 'includedThreadIds',
    }),
    // Every source kind `thread/list` takes is what `--all-sources` asks for: the codec's module knows them.
    allSources: option('--all-sources', 'include exec and sub-agent threads', { param: 'sourceKinds' }),
    ...METHOD_VIEW_OPTIONS,
  },
  params: async ({ opts, request }) => {
    const { threadListMethod, SourceKind } = await import('../../../../protocol/threads.js');
    return {
      method: threadListMethod,
      request: { ...request, sourceKinds: opts.allSources ? Object.keys(SourceKind.keys) : undefined },
    };
  },
  run: async ({ opts, params: q, cmd }) => {
    const [
      TE,
      { DEFAULT_THREAD_SORT_KEY, MAX_THREAD_LIST_LIMIT, listThreads },
      { readForkedFrom },
      { runOnHome },
      { limitNotes, pageHints },
      { pageCommandOf },
    ] = await Promise.all([
      import('fp-ts/lib/TaskEither.js'),
      import('../../../../replay/history/listThreads.js'),
      import('../../../../replay/history/readForkedFrom.js'),
      import('../runOnHome.js'),
      import('../renderHistory.js'),
      import('../commandLine.js'),
    ]);
    // --json stays thread/list's result; the text marks forks, looked up for the page's threads, and
    // notes the threads the source filter hid (a scan of every thread row: not for --json, which prints no note).
    const listing = (home: OpenCodexHome) =>
      TE.chain((l: ThreadListing) =>
        TE.map(({ forkedFrom }: { forkedFrom: Readonly<Record<string, string>> }) => ({ ...l, forkedFrom }))(
          opts.json === true
            ? TE.right({ forkedFrom: {} })
            : readForkedFrom(home.read, { threadIds: l.page.data.map((t) => t.id) }),
        ),
      )(listThreads(home.read, q ?? {}, { countHidden: opts.json !== true }));
    await runOnHome(opts, listing, {
      // A section order lists nothing here (sections live in Codex's state DB): the time column is the default key's.
      text: (l) =>
        [
          ...threadLines(
            l.page.data,
            q?.sortKey === null || q?.sortKey === undefined || q.sortKey === 'section_position'
              ? DEFAULT_THREAD_SORT_KEY
              : q.sortKey,
            l.forkedFrom,
          ),
          ...pageHints(l.page, pageCommandOf(cmd, '--asc')),
        ].join('\n'),
      json: (l) => l.page,
      notes: (l) => [...limitNotes(q?.limit, MAX_THREAD_LIST_LIMIT), ...hiddenNote(l.hiddenBySource)],
    });
  },
});
