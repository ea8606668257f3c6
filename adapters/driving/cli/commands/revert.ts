import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

export const revertCommand = command({
  name: 'revert',
  description: 'revert a paginated thread before a turn (`thread/revert`): a new revision file, nothing rewritten',
  arguments: [argument('<threadId>', 'thread to revert', { param: 'threadId' })],
  options: {
    beforeTurnId: option('--before-turn-id <turnId>', 'the first turn to drop', {
      required: true,
      param: 'beforeTurnId',
    }),
    ...METHOD_VIEW_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../../protocol/historyWrites.js')).threadRevertMethod }),
  onHome: {
    use: async ({ params: p }) => {
      const { revertThread } = await import('../../../../replay/mutations/revertThread.js');
      return (home) => revertThread(home.mutations, p);
    },
    render:
      ({ params: p }) =>
      (v) =>
        `reverted ${p.threadId} before ${p.beforeTurnId}\n  ${v.written.path} (${v.written.lines} lines, ${v.written.bytes} bytes)`,
  },
});
