import type { Command } from 'commander';
import { readTokenUsage } from '../../../replay/readTokenUsage.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

export const registerTokenUsage = (program: Command): void => {
  withHomeOptions(
    program
      .command('token-usage')
      .description('the token usage a thread has reached, as `thread/resume` replays it (`thread/tokenUsage/updated` params)')
      .argument('<threadId>', 'thread'),
  ).action(async (threadId: string, opts: HomeOptions) => {
    await runOnHome(
      opts,
      (home) => readTokenUsage(home.mutations, threadId),
      (u) =>
        u === null
          ? `${threadId}: no token usage recorded`
          : `${threadId} (turn ${u.turnId}): ${u.tokenUsage.total.totalTokens} tokens total, last ${u.tokenUsage.last.totalTokens}`,
    );
  });
};
