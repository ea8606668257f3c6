import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine search <terms…>`: `thread/search`, or `thread/searchOccurrences` in one thread. */
export const registerSearch = (program: Command): void => {
  withHomeOptions(
    program
      .command('search')
      .description('find the threads (or, with --thread, the messages of one thread) where some text was said, as `thread/search` / `thread/searchOccurrences` do')
      .argument('<terms...>', 'the text to find: case-insensitive, literal, the words joined by one space')
      .option('--thread <id>', "every occurrence in this thread's messages instead")
      .option('--limit <n>', 'page size (threads: default 25, at most 100; occurrences: default 50)')
      .option('--cursor <cursor>', 'a nextCursor (or, for threads, a backwardsCursor) from an earlier page')
      .option('--sort <key>', 'threads: created_at (default) | updated_at | recency_at')
      .option('--asc', 'threads: oldest first')
      .option('--archived', 'threads: search archived threads instead')
      .option('--all-sources', 'threads: include exec and sub-agent threads'),
  ).action(lazyAction(() => import('../actions/search.js')));
};
