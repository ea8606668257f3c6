import { command } from '../commandSpec.js';
import { argument, numberOption, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

export const rollbackCommand = command({
  name: 'rollback',
  description:
    'drop the last N turns of a thread (`thread/rollback`, as earlier Codex): an appended marker or a revision',
  arguments: [argument('<threadId>', 'thread to roll back', { param: 'threadId' })],
  options: {
    numTurns: option('--num-turns <n>', 'how many turns to drop (>= 1)', {
      required: true,
      param: 'numTurns',
      toParam: numberOption,
    }),
    ...METHOD_VIEW_OPTIONS,
  },
  // A count below 1 is the use case's to refuse (domain/history/cut.ts `rollbackCut`): the same words as `serve`'s.
  params: async () => ({ method: (await import('../../../../protocol/historyWrites.js')).threadRollbackMethod }),
  onHome: {
    use: async ({ params: p }) => {
      const { rollbackThread } = await import('../../../../replay/mutations/rollbackThread.js');
      return (home) => rollbackThread(home.mutations, p);
    },
    render:
      ({ params: p }) =>
      (v) =>
        `rolled back ${p.threadId}: ${v.thread.turns.length} turns left` +
        (v.written === null ? ' (nothing to drop)' : `\n  ${v.written.path} (+${v.written.bytes} bytes)`),
  },
});
