import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerRollback = (program: Command): void => {
  withHomeOptions(
    program
      .command('rollback')
      .description('drop the last N turns of a thread (`thread/rollback`, as earlier Codex): an appended marker or a revision')
      .argument('<threadId>', 'thread to roll back')
      .requiredOption('--num-turns <n>', 'how many turns to drop (>= 1)'),
  ).action(lazyAction(() => import('../actions/rollback.js')));
};
