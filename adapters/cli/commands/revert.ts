import type { Command } from 'commander';
import { argument, command, option, registerCommand } from '../commandSpec.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

export const revertCommand = command({
  name: 'revert',
  description: 'revert a paginated thread before a turn (`thread/revert`): a new revision file, nothing rewritten',
  arguments: [argument('<threadId>', 'thread to revert', { param: 'threadId' })],
  options: {
    beforeTurnId: option('--before-turn-id <turnId>', 'the first turn to drop', { required: true, param: 'beforeTurnId' }),
    ...HOME_AND_JSON_OPTIONS,
  },
  params: async () => ({ codec: (await import('../../rpc/methods/threadRevert.js')).ThreadRevertParams }),
  run: async ({ opts, params: p }) => {
    const [{ revertThread }, { runOnHome }] = await Promise.all([import('../../../replay/revertThread.js'), import('../runOnHome.js')]);
    await runOnHome(
      opts,
      (home) => revertThread(home.mutations, p.threadId, p.beforeTurnId),
      (v) => `reverted ${p.threadId} before ${p.beforeTurnId}\n  ${v.written.path} (${v.written.lines} lines, ${v.written.bytes} bytes)`,
    );
  },
});

export const registerRevert = (program: Command): void => {
  registerCommand(program, revertCommand);
};
