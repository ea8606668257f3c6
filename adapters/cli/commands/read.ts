import type { Command } from 'commander';
import type { StreamedThread, ThreadRead } from '../../../replay/history/readThread.js';
import { turnValues } from '../../../domain/thread/turn.js';
import { command, ONE_THREAD, registerCommand } from '../commandSpec.js';
import { threadHeader, turnLines } from '../renderHistory.js';
import { argument, option } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

/** The thread for a person, turn by turn as they are read. */
async function* threadLines(t: StreamedThread): AsyncGenerator<string> {
  yield* threadHeader(t);
  for await (const turns of t.turns) for (const turn of turnValues(turns)) yield* turnLines(turn);
}

/** `rollout-engine read <threadId>`: `thread/read` from the index (`--json`: `result.thread`), written as it is read. */
export const readCommand = command({
  name: 'read',
  description: 'print a thread as `thread/read {threadId, includeTurns: true}` returns it (`--json`: result.thread)',
  arguments: [argument('<threadId>', 'thread id', { param: 'threadId' })],
  options: {
    turns: option('--no-turns', 'leave turns out (includeTurns: false)', { param: 'includeTurns' }),
    ...HOME_AND_JSON_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../protocol/threads.js')).threadReadMethod }),
  onHome: {
    use: async ({ params }) => {
      const [TE, { readThread }] = await Promise.all([import('fp-ts/lib/TaskEither.js'), import('../../../replay/history/readThread.js')]);
      return (home) => TE.map((r: ThreadRead) => r.thread)(readThread(home.read, params));
    },
    render: () => threadLines,
    open: ONE_THREAD,
  },
});

export const registerRead = (program: Command): void => {
  registerCommand(program, readCommand);
};
