import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';
import type { ForkResult } from '../../../../replay/mutations/forkThread.js';

export const forkCommand = command({
  name: 'fork',
  description: 'fork a thread (`thread/fork`): paginated → a reference fork in O(1), legacy → a copy as Codex makes it',
  arguments: [argument('[threadId]', 'thread to fork (or give --path)', { param: 'threadId' })],
  options: {
    path: option('--path <file>', 'fork the history one rollout file of this home holds', { param: 'path' }),
    lastTurnId: option('--last-turn-id <turnId>', 'keep the history up to and including this turn', {
      param: 'lastTurnId',
    }),
    beforeTurnId: option('--before-turn-id <turnId>', 'keep the history before this turn', { param: 'beforeTurnId' }),
    excludeTurns: option('--exclude-turns', "answer without the fork's turns", { param: 'excludeTurns' }),
    originator: option('--originator <name>', "originator recorded in the fork (default: the source's)"),
    ...METHOD_VIEW_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../../protocol/historyWrites.js')).threadForkMethod }),
  onHome: {
    use: async ({ opts, params: p }) => {
      const [TE, { forkAnswerOf, forkThread }] = await Promise.all([
        import('fp-ts/lib/TaskEither.js'),
        import('../../../../replay/mutations/forkThread.js'),
      ]);
      // `--json` prints `thread/fork`'s answer, as every other command's; the text names what was written.
      return (home) =>
        TE.map((fork: ForkResult) => ({ fork, answer: forkAnswerOf(fork) }))(
          forkThread(home.mutations, { ...p, originator: opts.originator }),
        );
    },
    render: () => ({
      // Unnamed, as thread/fork writes it (its title is its source's): `threads` marks it a fork; naming it is one command.
      text: ({ fork: f }) =>
        `forked ${f.sourceThreadId} → ${f.thread.id}\n  ${f.written.path} (${f.written.lines} lines, ${f.written.bytes} bytes)\n` +
        `  unnamed (titled as its source until named): rollout-engine name ${f.thread.id} "…"`,
      json: ({ answer }) => answer,
    }),
  },
});
