import type { Command } from 'commander';
import { forkThread } from '../../../replay/forkThread.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

interface ForkOptions extends HomeOptions {
  readonly path?: string;
  readonly lastTurnId?: string;
  readonly beforeTurnId?: string;
  readonly excludeTurns?: boolean;
  readonly originator?: string;
}

export const registerFork = (program: Command): void => {
  withHomeOptions(
    program
      .command('fork')
      .description('fork a thread (`thread/fork`): paginated → a reference fork in O(1), legacy → a copy as Codex makes it')
      .argument('[threadId]', 'thread to fork (or give --path)')
      .option('--path <file>', 'fork the history one rollout file of this home holds')
      .option('--last-turn-id <turnId>', 'keep the history up to and including this turn')
      .option('--before-turn-id <turnId>', 'keep the history before this turn')
      .option('--exclude-turns', "answer without the fork's turns")
      .option('--originator <name>', "originator recorded in the fork (default: the source's)"),
  ).action(async (threadId: string | undefined, opts: ForkOptions) => {
    await runOnHome(
      opts,
      (home) =>
        forkThread(home.mutations, {
          threadId,
          path: opts.path,
          lastTurnId: opts.lastTurnId,
          beforeTurnId: opts.beforeTurnId,
          excludeTurns: opts.excludeTurns,
          originator: opts.originator,
        }),
      (f) => `forked ${f.sourceThreadId} → ${f.thread.id}\n  ${f.written.path} (${f.written.lines} lines, ${f.written.bytes} bytes)`,
    );
  });
};
