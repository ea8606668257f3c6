import type { Command } from 'commander';
import type { StreamedThread, ThreadRead } from '../../../replay/readThread.js';
import { argument, command, option, registerCommand } from '../commandSpec.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

/** `rollout-engine read <threadId>`: `thread/read` from the index (`--json`: `result.thread`), written as it is read. */
export const readCommand = command({
  name: 'read',
  description: 'print a thread as `thread/read {threadId, includeTurns: true}` returns it (`--json`: result.thread)',
  arguments: [argument('<threadId>', 'thread id', { param: 'threadId' })],
  options: {
    turns: option('--no-turns', 'leave turns out (includeTurns: false)', { param: 'includeTurns' }),
    ...HOME_AND_JSON_OPTIONS,
  },
  params: async () => ({ codec: (await import('../../rpc/methods/threadRead.js')).ThreadReadParams }),
  run: async ({ opts, params }) => {
    const [TE, { readThread }, { turnValues }, { ONE_THREAD, runOnHome }, { threadHeader, turnLines }] = await Promise.all([
      import('fp-ts/lib/TaskEither.js'),
      import('../../../replay/readThread.js'),
      import('../../../domain/thread/turn.js'),
      import('../runOnHome.js'),
      import('../renderHistory.js'),
    ]);
    /** The thread for a person, turn by turn as they are read. */
    async function* threadLines(t: StreamedThread): AsyncGenerator<string> {
      yield* threadHeader(t);
      for await (const turns of t.turns) for (const turn of turnValues(turns)) yield* turnLines(turn);
    }
    await runOnHome(opts, (home) => TE.map((r: ThreadRead) => r.thread)(readThread(home.read, params.threadId, params.includeTurns === true)), threadLines, ONE_THREAD);
  },
});

export const registerRead = (program: Command): void => {
  registerCommand(program, readCommand);
};
