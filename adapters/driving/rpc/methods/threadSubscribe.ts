import { threadSubscribeMethod } from '../../../../protocol/threads.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { unsupported } from '../../../../domain/errors.js';
import { bindMethod } from '../method.js';

/**
 * `rolloutEngine/thread/subscribe` (our namespace, as `rolloutEngine/quarantinedLines`): this
 * connection follows the thread. From now on, as lines land in its rollout — written by a running
 * Codex, another process, or `rollout/append` — it receives Codex's `turn/started`,
 * `item/completed`, `thread/tokenUsage/updated` and `turn/completed`.
 *
 * The rule is Codex's: a connection is sent a thread's live notifications once it follows the
 * thread, which in Codex is `thread/start`, `thread/resume` or `thread/fork` on that connection,
 * until `thread/unsubscribe` (or the connection ends); `thread/read` follows nothing. Codex's
 * `thread/resume` also loads the thread into a running session (its answer is that session's
 * model, sandbox and approval settings), which this engine does not run; so following is this
 * method, the subscription half of `thread/resume`. Answers `{status: "subscribed"}`; an unknown
 * thread is the NotFound `thread/read` gives.
 */
export const threadSubscribe = bindMethod(threadSubscribeMethod, (ctx, p) => {
  const threads = ctx.threads;
  if (threads === undefined) return TE.left(unsupported('live notifications on this transport'));
  return TE.map(() => ({ status: 'subscribed' as const }))(() => threads.subscribe(p.threadId));
});
