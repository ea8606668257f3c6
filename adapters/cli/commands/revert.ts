import type { Command } from 'commander';
import { revertThread } from '../../../replay/revertThread.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

export const registerRevert = (program: Command): void => {
  withHomeOptions(
    program
      .command('revert')
      .description('revert a paginated thread before a turn (`thread/revert`): a new revision file, nothing rewritten')
      .argument('<threadId>', 'thread to revert')
      .requiredOption('--before-turn-id <turnId>', 'the first turn to drop'),
  ).action(async (threadId: string, opts: HomeOptions & { beforeTurnId: string }) => {
    await runOnHome(
      opts,
      (home) => revertThread(home.mutations, threadId, opts.beforeTurnId),
      (v) => `reverted ${threadId} before ${opts.beforeTurnId}\n  ${v.written.path} (${v.written.lines} lines, ${v.written.bytes} bytes)`,
    );
  });
};
