import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { ThreadTokenUsageUpdated } from '../../../domain/tokens/threadTokenUsage.js';
import { readTokenUsage } from '../../../replay/readTokenUsage.js';
import { defineMethod, threadScope } from '../method.js';

/** `thread/tokenUsage/read` params; `rollout-engine token-usage` decodes its argument with it too. */
export const ThreadTokenUsageReadParams = t.type({ threadId: t.string });

/**
 * `thread/tokenUsage/read`: what `thread/resume` replays as `thread/tokenUsage/updated`, asked
 * directly (`turnId` and `tokenUsage` null when the thread has nothing to replay).
 */
export const threadTokenUsageRead = defineMethod({
  name: 'thread/tokenUsage/read',
  params: ThreadTokenUsageReadParams,
  scope: (p) => threadScope(p.threadId, 'read'),
  handle: (ctx, p) => TE.map((u: ThreadTokenUsageUpdated | null) => u ?? { threadId: p.threadId, turnId: null, tokenUsage: null })(readTokenUsage(ctx.ports, p.threadId)),
});
