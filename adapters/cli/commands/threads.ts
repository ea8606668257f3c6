import type { Command } from 'commander';
import { listThreads } from '../../../replay/listThreads.js';
import type { ListThreadsQuery } from '../../../replay/listThreads.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { cursorsLine } from '../renderHistory.js';

/** `rollout-engine threads`: `thread/list`, newest first. */
export const registerThreads = (program: Command): void => {
  withHomeOptions(
    program
      .command('threads')
      .description('list threads as `thread/list` does')
      .option('--limit <n>', 'page size (default 25, at most 100)', (v) => Number.parseInt(v, 10))
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--sort <key>', 'created_at | updated_at | recency_at', 'created_at')
      .option('--asc', 'oldest first')
      .option('--archived', 'list archived threads instead')
      .option('--search <term>', 'only threads whose name or preview contains this text')
      .option('--cwd <dir>', 'only threads started in this directory')
      .option('--all-sources', 'include exec and sub-agent threads'),
  ).action(
    (opts: HomeOptions & { limit?: number; cursor?: string; sort: string; asc?: boolean; archived?: boolean; search?: string; cwd?: string; allSources?: boolean }) => {
      const q: ListThreadsQuery = {
        limit: opts.limit ?? null,
        cursor: opts.cursor ?? null,
        sortKey: opts.sort as ListThreadsQuery['sortKey'],
        sortDirection: opts.asc ? 'asc' : 'desc',
        archived: opts.archived === true,
        searchTerm: opts.search ?? null,
        cwd: opts.cwd ?? null,
        sourceKinds: opts.allSources ? ['cli', 'vscode', 'exec', 'appServer', 'subAgent', 'unknown'] : null,
      };
      return runOnHome(
        opts,
        (home) => listThreads(home.read, q),
        (page) =>
          [...page.data.map((t) => `${t.id}  ${new Date(t.updatedAt * 1000).toISOString()}  ${t.historyMode.padEnd(9)} ${t.name ?? t.preview}`), cursorsLine(page)].join(
            '\n',
          ),
      );
    },
  );
};
