import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { rollbackThread } from '../../../replay/rollbackThread.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

const integer = (v: string): number => {
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError('not an integer');
  return Number(v);
};

export const registerRollback = (program: Command): void => {
  withHomeOptions(
    program
      .command('rollback')
      .description('drop the last N turns of a thread (`thread/rollback`, as earlier Codex): an appended marker or a revision')
      .argument('<threadId>', 'thread to roll back')
      .requiredOption('--num-turns <n>', 'how many turns to drop (>= 1)', integer),
  ).action(async (threadId: string, opts: HomeOptions & { numTurns: number }) => {
    await runOnHome(
      opts,
      (home) => rollbackThread(home.mutations, threadId, opts.numTurns),
      (v) =>
        `rolled back ${threadId}: ${v.thread.turns.length} turns left` +
        (v.written === null ? ' (nothing to drop)' : `\n  ${v.written.path} (+${v.written.bytes} bytes)`),
    );
  });
};
