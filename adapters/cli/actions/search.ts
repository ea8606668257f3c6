import type { Command } from 'commander';
import { literalPattern } from '../../../domain/search/literalMatch.js';
import { searchOccurrences } from '../../../replay/searchOccurrences.js';
import type { ThreadSearchOccurrencesPage } from '../../../replay/searchOccurrences.js';
import { searchThreads } from '../../../replay/searchThreads.js';
import type { ThreadSearchPage } from '../../../replay/searchThreads.js';
import { SourceKind } from '../../../protocol/threads.js';
import { ThreadSearchParams, ThreadSearchOccurrencesParams } from '../../../protocol/search.js';
import { pageCommandOf } from '../commandLine.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { pageHints } from '../renderHistory.js';
import type { PageCommand } from '../renderHistory.js';
import { runOnHome } from '../runOnHome.js';

interface SearchOptions extends HomeOptions {
  readonly thread?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly sort?: string;
  readonly asc?: boolean;
  readonly archived?: boolean;
  readonly allSources?: boolean;
}

const OPTION_OF = {
  searchTerm: '<terms...>',
  threadId: '--thread',
  limit: '--limit',
  cursor: '--cursor',
  sortKey: '--sort',
  sortDirection: '--asc',
  archived: '--archived',
  sourceKinds: '--all-sources',
};

/** Matches stand out (bold yellow) only when a person reads the terminal: piped output stays plain text. */
const highlight = (text: string, ranges: ReadonlyArray<readonly [number, number]>): string => {
  if (process.stdout.isTTY !== true || ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += `${text.slice(at, start)}\u001b[1;33m${text.slice(start, end)}\u001b[0m`;
    at = end;
  }
  return out + text.slice(at);
};

const oneLine = (s: string): string => s.replace(/\s+/g, ' ');

const matchRanges = (snippet: string, term: string): Array<readonly [number, number]> =>
  [...snippet.matchAll(literalPattern(term, true))].filter((m) => m[0] !== '').map((m) => [m.index, m.index + m[0].length] as const);

const threadLines = (page: ThreadSearchPage, term: string): string[] =>
  page.data.length === 0
    ? ['no thread found']
    : page.data.flatMap((r) => [
        `${r.thread.id}  ${oneLine(r.thread.name ?? r.thread.preview)}`,
        `    ${highlight(oneLine(r.snippet), matchRanges(oneLine(r.snippet), term.trim()))}`,
      ]);

const occurrenceLines = (page: ThreadSearchOccurrencesPage): string[] =>
  page.data.length === 0
    ? ['no occurrence found']
    : page.data.map((o) => {
        // Line breaks shown as spaces keep the range's offsets (one code unit for one).
        const flat = o.snippet.replace(/[\r\n\t]/g, ' ');
        return `turn ${o.turnId}  item ${o.itemId}\n    ${highlight(flat, [[o.snippetMatchRange.start, o.snippetMatchRange.end]])}`;
      });

/** The page command with the search words, which `commandWords` leaves out (they are one variadic argument). */
const withTerms = (command: PageCommand, terms: ReadonlyArray<string>): PageCommand => ({
  ...command,
  words: [...command.words.slice(0, 2), ...terms, ...command.words.slice(2)],
});

/** What `rollout-engine search` does (loaded by its action only). */
export const action = (terms: string[], opts: SearchOptions, cmd: Command) => {
  const searchTerm = terms.join(' ');
  if (opts.thread !== undefined)
    return withRequest(
      opts,
      decodeRequest(ThreadSearchOccurrencesParams, { threadId: opts.thread, searchTerm, limit: numberOption(opts.limit), cursor: opts.cursor }, OPTION_OF),
      (q) =>
        runOnHome(opts, (home) => searchOccurrences(home.read, q), {
          text: (page) => [...occurrenceLines(page), page.nextCursor === null ? 'last page' : `next page: --cursor '${page.nextCursor}'`].join('\n'),
          json: (page) => page,
        }),
    );
  return withRequest(
    opts,
    decodeRequest(
      ThreadSearchParams,
      {
        searchTerm,
        limit: numberOption(opts.limit),
        cursor: opts.cursor,
        sortKey: opts.sort,
        sortDirection: opts.asc ? 'asc' : undefined,
        archived: opts.archived,
        sourceKinds: opts.allSources ? Object.keys(SourceKind.keys) : undefined,
      },
      OPTION_OF,
    ),
    (q) =>
      runOnHome(opts, (home) => searchThreads(home.read, q), {
        text: (page) => [...threadLines(page, searchTerm), ...pageHints(page, withTerms(pageCommandOf(cmd, '--asc'), terms))].join('\n'),
        json: (page) => page,
      }),
  );
};
