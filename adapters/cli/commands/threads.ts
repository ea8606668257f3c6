import type { Command } from 'commander';
import { listThreads } from '../../../replay/listThreads.js';
import { SourceKind, ThreadListParams } from '../../rpc/methods/threadList.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { cursorsLine } from '../renderHistory.js';

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

/** `rollout-engine threads`: `thread/list`, newest first. */
export const registerThreads = (program: Command): void => {
  withHomeOptions(
    program
      .command('threads')
      .description('list threads as `thread/list` does')
      .option('--limit <n>', 'page size (default 25, at most 100)')
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--sort <key>', 'created_at (default) | updated_at | recency_at')
      .option('--asc', 'oldest first')
      .option('--archived', 'list archived threads instead')
      .option('--search <term>', 'only threads whose name or preview contains this text')
      .option('--cwd <dir>', 'only threads started in this directory')
      .option('--all-sources', 'include exec and sub-agent threads'),
  ).action((opts: ThreadsOptions) =>
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
        runOnHome(
          opts,
          (home) => listThreads(home.read, q ?? {}),
          (page) =>
            [
              ...page.data.map((t) => `${t.id}  ${new Date(t.updatedAt * 1000).toISOString()}  ${t.historyMode.padEnd(9)} ${t.name ?? t.preview}`),
              cursorsLine(page),
            ].join('\n'),
        ),
    ),
  );
};
