import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerFork = (program: Command): void => {
  withHomeOptions(
    program
      .command('fork')
      .description('fork a thread (`thread/fork`): paginated → a reference fork in O(1), legacy → a copy as Codex makes it')
      .argument('[threadId]', 'thread to fork (or give --path)')
      .option('--path <file>', 'fork the history one rollout file of this home holds')
      .option('--last-turn-id <turnId>', 'keep the history up to and including this turn')
      .option('--before-turn-id <turnId>', 'keep the history before this turn')
      .option('--exclude-turns', "answer without the fork's turns")
      .option('--originator <name>', "originator recorded in the fork (default: the source's)"),
  ).action(lazyAction(() => import('../actions/fork.js')));
};
