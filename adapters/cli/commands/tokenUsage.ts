import type { Command } from 'commander';
import { readTokenUsage } from '../../../replay/readTokenUsage.js';
import { ThreadTokenUsageReadParams } from '../../rpc/methods/threadTokenUsageRead.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

export const registerTokenUsage = (program: Command): void => {
  withHomeOptions(
    program
      .command('token-usage')
      .description('the token usage a thread has reached, as `thread/resume` replays it (`thread/tokenUsage/updated` params)')
      .argument('<threadId>', 'thread'),
  ).action((threadId: string, opts: HomeOptions) =>
    withRequest(opts, decodeRequest(ThreadTokenUsageReadParams, { threadId }, { threadId: '<threadId>' }), (p) =>
      runOnHome(
        opts,
        (home) => readTokenUsage(home.mutations, p.threadId),
        (u) =>
          u === null
            ? `${p.threadId}: no token usage recorded`
            : `${p.threadId} (turn ${u.turnId}): ${u.tokenUsage.total.totalTokens} tokens total, last ${u.tokenUsage.last.totalTokens}`,
      ),
    ),
  );
};
