import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerTokenUsage = (program: Command): void => {
  withHomeOptions(
    program
      .command('token-usage')
      .description('the token usage a thread has reached, as `thread/resume` replays it (`thread/tokenUsage/updated` params)')
      .argument('<threadId>', 'thread'),
  ).action(lazyAction(() => import('../actions/tokenUsage.js')));
};
