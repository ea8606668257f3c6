import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerAppend = (program: Command): void => {
  withHomeOptions(
    program
      .command('append')
      .description('append rollout lines to a thread (`rollout/append`): at its expected end, indexed before the answer; a retried key writes nothing twice')
      .argument('<threadId>', 'thread to append to')
      .requiredOption('--lines-file <file>', 'the rollout lines, one JSON line each (`-`: stdin)')
      .requiredOption('--expected-ordinal <n>', 'the ordinal the first line gets: the thread end as last seen')
      .requiredOption('--idempotency-key <key>', 'names this append: a retry with the same key answers the first result'),
  ).action(lazyAction(() => import('../actions/append.js')));
};
