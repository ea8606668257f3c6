import * as TE from 'fp-ts/lib/TaskEither.js';
import { readThread } from '../../../replay/readThread.js';
import { turnValues } from '../../../domain/thread/turn.js';
import type { StreamedThread, ThreadRead } from '../../../replay/readThread.js';
import { ThreadReadParams } from '../../../protocol/threads.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { ONE_THREAD, runOnHome } from '../runOnHome.js';
import { threadHeader, turnLines } from '../renderHistory.js';

/** The thread for a person, turn by turn as they are read. */
async function* threadLines(t: StreamedThread): AsyncGenerator<string> {
  yield* threadHeader(t);
  for await (const turns of t.turns) for (const turn of turnValues(turns)) yield* turnLines(turn);
}

/** What `rollout-engine read` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions & { turns: boolean }) =>
  withRequest(opts, decodeRequest(ThreadReadParams, { threadId, includeTurns: opts.turns }, { threadId: '<threadId>', includeTurns: '--no-turns' }), (p) =>
    runOnHome(opts, (home) => TE.map((r: ThreadRead) => r.thread)(readThread(home.read, p.threadId, p.includeTurns === true)), threadLines, ONE_THREAD),
  );
