import { readTokenUsage } from '../../../replay/readTokenUsage.js';
import { ThreadTokenUsageReadParams } from '../../../protocol/tokens.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine tokenUsage` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions) =>
  withRequest(opts, decodeRequest(ThreadTokenUsageReadParams, { threadId }, { threadId: '<threadId>' }), (p) =>
    runOnHome(
      opts,
      (home) => readTokenUsage(home.mutations, p.threadId),
      (u) =>
        u === null
          ? `${p.threadId}: no token usage recorded`
          : `${p.threadId} (turn ${u.turnId}): ${u.tokenUsage.total.totalTokens} tokens total, last ${u.tokenUsage.last.totalTokens}`,
    ),
  );
