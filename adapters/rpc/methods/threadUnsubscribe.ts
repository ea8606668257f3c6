import * as t from 'io-ts';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { defineMethod, threadScope } from '../method.js';
import type { UnsubscribeStatus } from '../threadSubscriptions.js';

/** `thread/unsubscribe` params, as Codex 0.169.0 defines them. */
export const ThreadUnsubscribeParams = t.type({ threadId: t.string });

/**
 * `thread/unsubscribe`: this connection stops following the thread. Codex's statuses:
 * `unsubscribed`; `notSubscribed` when another connection follows it but this one does not;
 * `notLoaded` when no connection follows it.
 */
export const threadUnsubscribe = defineMethod({
  name: 'thread/unsubscribe',
  params: ThreadUnsubscribeParams,
  scope: (p) => threadScope(p.threadId, 'read'),
  handle: (ctx, p) => TE.right({ status: (ctx.threads?.unsubscribe(p.threadId) ?? 'notLoaded') satisfies UnsubscribeStatus }),
});
