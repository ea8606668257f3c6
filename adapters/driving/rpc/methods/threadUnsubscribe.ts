import { threadUnsubscribeMethod } from '../../../../protocol/threads.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { bindMethod } from '../method.js';
import type { UnsubscribeStatus } from '../threadSubscriptions.js';

/**
 * `thread/unsubscribe`: this connection stops following the thread. Codex's statuses:
 * `unsubscribed`; `notSubscribed` when another connection follows it but this one does not;
 * `notLoaded` when no connection follows it.
 */
export const threadUnsubscribe = bindMethod(threadUnsubscribeMethod, (ctx, p) =>
  TE.right({ status: (ctx.threads?.unsubscribe(p.threadId) ?? 'notLoaded') satisfies UnsubscribeStatus }),
);
