import type { Command } from 'commander';
import { rollbackThread } from '../../../replay/rollbackThread.js';
import { ThreadRollbackParams } from '../../rpc/methods/threadRollback.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

export const registerRollback = (program: Command): void => {
  withHomeOptions(
    program
      .command('rollback')
      .description('drop the last N turns of a thread (`thread/rollback`, as earlier Codex): an appended marker or a revision')
      .argument('<threadId>', 'thread to roll back')
      .requiredOption('--num-turns <n>', 'how many turns to drop (>= 1)'),
  ).action((threadId: string, opts: HomeOptions & { numTurns: string }) =>
    withRequest(
      opts,
      decodeRequest(ThreadRollbackParams, { threadId, numTurns: numberOption(opts.numTurns) }, { threadId: '<threadId>', numTurns: '--num-turns' }),
      (p) =>
        runOnHome(
          opts,
          (home) => rollbackThread(home.mutations, p.threadId, p.numTurns),
          (v) =>
            `rolled back ${p.threadId}: ${v.thread.turns.length} turns left` +
            (v.written === null ? ' (nothing to drop)' : `\n  ${v.written.path} (+${v.written.bytes} bytes)`),
        ),
    ),
  );
};
