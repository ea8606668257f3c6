import { rollbackThread } from '../../../replay/rollbackThread.js';
import { ThreadRollbackParams } from '../../../protocol/history.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine rollback` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions & { numTurns: string }) =>
  withRequest(opts, decodeRequest(ThreadRollbackParams, { threadId, numTurns: numberOption(opts.numTurns) }, { threadId: '<threadId>', numTurns: '--num-turns' }), (p) =>
    runOnHome(
      opts,
      (home) => rollbackThread(home.mutations, p.threadId, p.numTurns),
      (v) =>
        `rolled back ${p.threadId}: ${v.thread.turns.length} turns left` +
        (v.written === null ? ' (nothing to drop)' : `\n  ${v.written.path} (+${v.written.bytes} bytes)`),
    ),
  );
