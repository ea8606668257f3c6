import type { Command } from 'commander';
import { revertThread } from '../../../replay/revertThread.js';
import { ThreadRevertParams } from '../../rpc/methods/threadRevert.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
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
  ).action((threadId: string, opts: HomeOptions & { beforeTurnId: string }) =>
    withRequest(
      opts,
      decodeRequest(ThreadRevertParams, { threadId, beforeTurnId: opts.beforeTurnId }, { threadId: '<threadId>', beforeTurnId: '--before-turn-id' }),
      (p) =>
        runOnHome(
          opts,
          (home) => revertThread(home.mutations, p.threadId, p.beforeTurnId),
          (v) => `reverted ${p.threadId} before ${p.beforeTurnId}\n  ${v.written.path} (${v.written.lines} lines, ${v.written.bytes} bytes)`,
        ),
    ),
  );
};
