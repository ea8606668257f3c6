import type { ThreadSearchOccurrencesPage } from '../../../../replay/history/searchOccurrences.js';
import type { ThreadSearchPage } from '../../../../replay/history/searchThreads.js';
import type * as t from 'io-ts';
import type { ThreadSearchParams } from '../../../../protocol/search.js';
import type { ThreadSearchOccurrencesParams } from '../../../../protocol/search.js';
import { command } from '../commandSpec.js';
import { argument, numberOption, option } from '../optionTable.js';
import type { ParamsRequest } from '../commandSpec.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';
import { breaksMarked, LISTED_TEXT_MAX, oneLineText, terminalText } from '../terminalText.js';
import type { PageCommand } from '../renderHistory.js';

/** A piece of a snippet on its one line: line breaks shown as ` ↵ `, controls escaped. */
const shown = (text: string): string => terminalText(breaksMarked(text));

/**
 * Matches stand out (bold yellow) only when a person reads the terminal: piped output stays plain
 * text. The text is shown (`shown`) piece by piece, around the ranges (offsets into the text as
 * it came), so the highlight's are the only escape sequences printed.
 */
const highlight = (text: string, ranges: ReadonlyArray<readonly [number, number]>): string => {
  if (process.stdout.isTTY !== true || ranges.length === 0) return shown(text);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += `${shown(text.slice(at, start))}\u001b[1;33m${shown(text.slice(start, end))}\u001b[0m`;
    at = end;
  }
  return out + shown(text.slice(at));
};

const oneLine = (s: string): string => s.replace(/\s+/g, ' ');

const occurrenceLines = (page: ThreadSearchOccurrencesPage, nothing: string): string[] =>
  page.data.length === 0
    ? [terminalText(nothing)]
    : page.data.map((o) => {
        // Tabs shown as spaces keep the range's offsets (one code unit for one); line breaks are marked piece by piece.
        const flat = o.snippet.replace(/\t/g, ' ');
        return `${terminalText(`turn ${o.turnId}  item ${o.itemId}`)}\n    ${highlight(flat, [[o.snippetMatchRange.start, o.snippetMatchRange.end]])}`;
      });

/** The page command with the search words, which `commandWords` leaves out (they are one variadic argument). */
const withTerms = (command: PageCommand, terms: ReadonlyArray<string>): PageCommand => ({
  ...command,
  words: [...command.words.slice(0, 2), ...terms, ...command.words.slice(2)],
});

/** `rollout-engine search <terms…>`: `thread/search`, or `thread/searchOccurrences` in one thread. */
export const searchCommand = command({
  name: 'search',
  description:
    'find the threads (or, with --thread, the messages of one thread) where some text was said, as `thread/search` / `thread/searchOccurrences` do',
  arguments: [
    argument('<terms...>', 'the text to find: case-insensitive, literal, the words joined by one space', {
      param: 'searchTerm',
      toParam: (terms) => terms.join(' '),
    }),
  ],
  options: {
    thread: option('--thread <id>', "every occurrence in this thread's messages instead", { param: 'threadId' }),
    limit: option('--limit <n>', 'page size (threads: default 25, at most 100; occurrences: default 50)', {
      param: 'limit',
      toParam: numberOption,
    }),
    cursor: option('--cursor <cursor>', 'a nextCursor (or, for threads, a backwardsCursor) from an earlier page', {
      param: 'cursor',
    }),
    sort: option('--sort <key>', 'threads: created_at (default) | updated_at | recency_at', { param: 'sortKey' }),
    asc: option('--asc', 'threads: oldest first', {
      param: 'sortDirection',
      toParam: (asc) => (asc ? 'asc' : undefined),
    }),
    archived: option('--archived', 'threads: search archived threads instead', { param: 'archived' }),
    allSources: option('--all-sources', 'threads: include exec and sub-agent threads', { param: 'sourceKinds' }),
    ...METHOD_VIEW_OPTIONS,
  },
  // With --thread, `thread/searchOccurrences` (its own params); else `thread/search`.
  params: async ({
    opts,
    request: r,
  }): Promise<ParamsRequest<t.TypeOf<typeof ThreadSearchOccurrencesParams> | t.TypeOf<typeof ThreadSearchParams>>> => {
    if (opts.thread !== undefined) {
      const { threadSearchOccurrencesMethod } = await import('../../../../protocol/search.js');
      return {
        method: threadSearchOccurrencesMethod,
        request: { threadId: r['threadId'], searchTerm: r['searchTerm'], limit: r['limit'], cursor: r['cursor'] },
      };
    }
    const [{ threadSearchMethod }, { SourceKind }] = await Promise.all([
      import('../../../../protocol/search.js'),
      import('../../../../protocol/threads.js'),
    ]);
    return {
      method: threadSearchMethod,
      request: {
        searchTerm: r['searchTerm'],
        limit: r['limit'],
        cursor: r['cursor'],
        sortKey: r['sortKey'],
        sortDirection: r['sortDirection'],
        archived: r['archived'],
        sourceKinds: opts.allSources ? Object.keys(SourceKind.keys) : undefined,
      },
    };
  },
  run: async ({ args: [terms], opts, params: q, cmd }) => {
    const searchTerm = terms.join(' ');
    const [
      { literalPattern },
      { searchOccurrences },
      { searchThreads },
      { pageCommandOf },
      { pageHints },
      { runOnHome },
      { resolveCodexHome },
    ] = await Promise.all([
      import('../../../../domain/search/literalMatch.js'),
      import('../../../../replay/history/searchOccurrences.js'),
      import('../../../../replay/history/searchThreads.js'),
      import('../commandLine.js'),
      import('../renderHistory.js'),
      import('../runOnHome.js'),
      import('../../composition/layout.js'),
    ]);
    // A search that finds nothing says where it looked: which home, which threads, and how to look further.
    const codexHome = resolveCodexHome(opts.codexHome);
    const quoted = JSON.stringify(searchTerm);
    const laterPage = opts.cursor === undefined ? '' : ' on this page';
    if ('threadId' in q) {
      const nothing = `no occurrence found${laterPage}: ${quoted} is not in the messages of thread ${q.threadId} in ${codexHome}`;
      return runOnHome(
        opts,
        (home) => searchOccurrences(home.read, q),
        {
          text: (page) =>
            [
              ...occurrenceLines(page, nothing),
              page.nextCursor === null ? 'last page' : terminalText(`next page: --cursor '${page.nextCursor}'`),
            ].join('\n'),
          json: (page) => page,
          styled: process.stdout.isTTY === true,
        },
        {},
        q.threadId,
      );
    }
    const matchRanges = (snippet: string, term: string): Array<readonly [number, number]> =>
      [...snippet.matchAll(literalPattern(term, true))]
        .filter((m) => m[0] !== '')
        .map((m) => [m.index, m.index + m[0].length] as const);
    const threadLines = (page: ThreadSearchPage): string[] =>
      page.data.length === 0
        ? [
            terminalText(
              `no thread found${laterPage}: no ${opts.archived === true ? 'archived' : 'live (not archived)'} thread of ${codexHome} mentions ${quoted}` +
                ` (searched ${opts.allSources === true ? 'threads of every source' : 'interactive threads only; --all-sources adds exec and sub-agent threads'}` +
                `${opts.archived === true ? '' : '; --archived searches the archived ones'})`,
            ),
          ]
        : page.data.flatMap((r) => [
            `${terminalText(r.thread.id)}  ${oneLineText(r.thread.name ?? r.thread.preview, LISTED_TEXT_MAX)}`,
            `    ${highlight(oneLine(r.snippet), matchRanges(oneLine(r.snippet), searchTerm.trim()))}`,
          ]);
    // The snippet cut of the version the command speaks (`--codex-version`, resolved by commandSpec), as serve's.
    const [{ threadSearchMethod, snippetContextAt }, { isCodexVersion }] = await Promise.all([
      import('../../../../protocol/search.js'),
      import('../../../../protocol/codexVersions.js'),
    ]);
    const context = isCodexVersion(opts.codexVersion)
      ? snippetContextAt(threadSearchMethod, opts.codexVersion)
      : undefined;
    return runOnHome(opts, (home) => searchThreads(home.read, q, context), {
      text: (page) =>
        [
          ...threadLines(page),
          ...pageHints(page, withTerms(pageCommandOf(cmd, '--asc'), terms)).map(terminalText),
        ].join('\n'),
      json: (page) => page,
      // The highlight's escapes are the only ones (each piece escaped on its own, above).
      styled: process.stdout.isTTY === true,
    });
  },
});
