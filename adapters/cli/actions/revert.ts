import { revertThread } from '../../../replay/revertThread.js';
import { ThreadRevertParams } from '../../../protocol/history.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine revert` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions & { beforeTurnId: string }) =>
  withRequest(opts, decodeRequest(ThreadRevertParams, { threadId, beforeTurnId: opts.beforeTurnId }, { threadId: '<threadId>', beforeTurnId: '--before-turn-id' }), (p) =>
    runOnHome(
      opts,
      (home) => revertThread(home.mutations, p.threadId, p.beforeTurnId),
      (v) => `reverted ${p.threadId} before ${p.beforeTurnId}\n  ${v.written.path} (${v.written.lines} lines, ${v.written.bytes} bytes)`,
    ),
  );
