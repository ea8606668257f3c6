import { forkThread } from '../../../replay/forkThread.js';
import { ThreadForkParams } from '../../../protocol/history.js';
import { forkRequestOf } from '../../rpc/methods/threadFork.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

interface ForkOptions extends HomeOptions {
  readonly path?: string;
  readonly lastTurnId?: string;
  readonly beforeTurnId?: string;
  readonly excludeTurns?: boolean;
  readonly originator?: string;
}

/** The option each `thread/fork` param comes from, to name it when the codec refuses it. */
const OPTION_OF = { threadId: '[threadId]', path: '--path', lastTurnId: '--last-turn-id', beforeTurnId: '--before-turn-id', excludeTurns: '--exclude-turns' };

/** What `rollout-engine fork` does (loaded by its action only). */
export const action = (threadId: string | undefined, opts: ForkOptions) =>
  withRequest(
    opts,
    decodeRequest(
      ThreadForkParams,
      { threadId, path: opts.path, lastTurnId: opts.lastTurnId, beforeTurnId: opts.beforeTurnId, excludeTurns: opts.excludeTurns },
      OPTION_OF,
    ),
    (p) =>
      runOnHome(
        opts,
        (home) => forkThread(home.mutations, { ...forkRequestOf(p), originator: opts.originator }),
        (f) => `forked ${f.sourceThreadId} → ${f.thread.id}\n  ${f.written.path} (${f.written.lines} lines, ${f.written.bytes} bytes)`,
      ),
  );
