import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerUnarchive = (program: Command): void => {
  withHomeOptions(
    program.command('unarchive').description('unarchive a thread (`thread/unarchive`): its files move back to sessions/YYYY/MM/DD/').argument('<threadId>', 'the thread'),
  ).action(lazyAction(() => import('../actions/unarchive.js')));
};
