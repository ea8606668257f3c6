import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerRevert = (program: Command): void => {
  withHomeOptions(
    program
      .command('revert')
      .description('revert a paginated thread before a turn (`thread/revert`): a new revision file, nothing rewritten')
      .argument('<threadId>', 'thread to revert')
      .requiredOption('--before-turn-id <turnId>', 'the first turn to drop'),
  ).action(lazyAction(() => import('../actions/revert.js')));
};
