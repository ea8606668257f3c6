import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine items <threadId>`: `thread/items/list`, oldest first (legacy threads too). */
export const registerItems = (program: Command): void => {
  withHomeOptions(
    program
      .command('items')
      .description("one page of a thread's items (or one turn's), as `thread/items/list` returns it")
      .argument('<threadId>', 'thread id')
      .option('--turn <turnId>', "only this turn's items")
      .option('--limit <n>', 'page size (default 25, at most 100)')
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--desc', 'newest first'),
  ).action(lazyAction(() => import('../actions/items.js')));
};
