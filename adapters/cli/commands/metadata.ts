import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerMetadata = (program: Command): void => {
  withHomeOptions(
    program
      .command('metadata')
      .description("patch a thread's stored git metadata (`thread/metadata/update`): kept in the engine's thread-state log, as Codex keeps it in its cache")
      .argument('<threadId>', 'the thread')
      .option('--git-sha <sha>', 'the commit')
      .option('--git-branch <branch>', 'the branch')
      .option('--git-origin-url <url>', 'the origin URL')
      .option('--clear-git-sha', 'clear the commit')
      .option('--clear-git-branch', 'clear the branch')
      .option('--clear-git-origin-url', 'clear the origin URL'),
  ).action(lazyAction(() => import('../actions/metadata.js')));
};
