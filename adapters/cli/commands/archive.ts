import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerArchive = (program: Command): void => {
  withHomeOptions(
    program
      .command('archive')
      .description('archive a thread (`thread/archive`): its rollout files move to archived_sessions/, as Codex moves them')
      .argument('<threadId>', 'the thread'),
  ).action(lazyAction(() => import('../actions/archive.js')));
};
