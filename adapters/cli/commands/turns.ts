import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine turns <threadId>`: `thread/turns/list`, newest first. */
export const registerTurns = (program: Command): void => {
  withHomeOptions(
    program
      .command('turns')
      .description("one page of a thread's turns, as `thread/turns/list` returns it")
      .argument('<threadId>', 'thread id')
      .option('--view <view>', 'items of each turn: notLoaded | summary (default) | full')
      .option('--limit <n>', 'page size (default 25, at most 100)')
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--asc', 'oldest first'),
  ).action(lazyAction(() => import('../actions/turns.js')));
};
