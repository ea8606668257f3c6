import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerDelete = (program: Command): void => {
  withHomeOptions(
    program
      .command('delete')
      .description('delete a thread (`thread/delete`): its rollout files and names go; refused while a fork reads its history')
      .argument('<threadId>', 'the thread'),
  ).action(lazyAction(() => import('../actions/delete.js')));
};
