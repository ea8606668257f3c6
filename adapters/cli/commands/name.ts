import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerName = (program: Command): void => {
  withHomeOptions(
    program
      .command('name')
      .description('name a thread (`thread/name/set`): a line in session_index.jsonl, as Codex writes it; nothing in the rollout')
      .argument('<threadId>', 'thread to name')
      .argument('<name>', 'its name (trimmed; blank refused)'),
  ).action(lazyAction(() => import('../actions/name.js')));
};
