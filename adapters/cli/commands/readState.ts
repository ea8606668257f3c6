import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerReadState = (program: Command): void => {
  withHomeOptions(
    program
      .command('read-state')
      .description('mark a thread read or unread (`thread/readState/update`) if its read state is still at --expected-revision')
      .argument('<threadId>', 'the thread')
      .requiredOption('--mark <read|unread>', 'read, or unread from its start')
      .requiredOption('--expected-revision <revision>', 'the revision last seen (thread/read answers it; initial:<threadId> before any change)'),
  ).action(lazyAction(() => import('../actions/readState.js')));
};
