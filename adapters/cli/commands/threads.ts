import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

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
  ).action(lazyAction(() => import('../actions/threads.js')));
};
