import type { StreamedThread, ThreadRead } from '../../../../replay/history/readThread.js';
import { turnValues } from '../../../../domain/thread/turn.js';
import { command, ONE_THREAD } from '../commandSpec.js';
import { threadHeader, turnLines } from '../renderHistory.js';
import { argument, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

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
    ...METHOD_VIEW_OPTIONS,
    // Not the generic "exactly its JSON-RPC result": read prints the result's one field.
    json: option('--json', 'print the thread as JSON: exactly the `thread` of its JSON-RPC result'),
  },
  params: async () => ({ method: (await import('../../../../protocol/threads.js')).threadReadMethod }),
  onHome: {
    use: async ({ params }) => {
      const { readThread } = await import('../../../../replay/history/readThread.js');
      return (home) => readThread(home.read, params);
    },
    // --json prints the result's thread, shaped as the result for the version asked.
    render: () => ({ text: (r: ThreadRead) => threadLines(r.thread), jsonField: 'thread' }),
    open: ONE_THREAD,
  },
});
