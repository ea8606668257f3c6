import { threadTokenUsageReadMethod } from '../../../../protocol/tokens.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { ThreadTokenUsageUpdated } from '../../../../domain/tokens/threadTokenUsage.js';
import { readTokenUsage } from '../../../../replay/tokens/readTokenUsage.js';
import { bindMethod } from '../method.js';

/**
 * `thread/tokenUsage/read`: what `thread/resume` replays as `thread/tokenUsage/updated`, asked
 * directly (`turnId` and `tokenUsage` null when the thread has nothing to replay).
 */
export const threadTokenUsageRead = bindMethod(threadTokenUsageReadMethod, (ctx, p) =>
  TE.map((u: ThreadTokenUsageUpdated | null) => u ?? { threadId: p.threadId, turnId: null, tokenUsage: null })(
    readTokenUsage(ctx.ports, p),
  ),
);
