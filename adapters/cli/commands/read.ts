import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

/** `rollout-engine read <threadId>`: `thread/read` from the index (`--json`: `result.thread`), written as it is read. */
export const registerRead = (program: Command): void => {
  withHomeOptions(
    program
      .command('read')
      .description('print a thread as `thread/read {threadId, includeTurns: true}` returns it (`--json`: result.thread)')
      .argument('<threadId>', 'thread id')
      .option('--no-turns', 'leave turns out (includeTurns: false)'),
  ).action(lazyAction(() => import('../actions/read.js')));
};
