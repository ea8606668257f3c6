import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { setThreadName } from '../../../replay/setThreadName.js';
import { defineMethod, threadScope } from '../method.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';

/** `thread/name/set` params; `rollout-engine name` decodes its arguments with it too. */
export const ThreadNameSetParams = t.type({ threadId: t.string, name: t.string });

/** `thread/name/set`: `{}`, then `thread/name/updated` with the name as stored (trimmed), as Codex orders them. */
export const threadNameSet = defineMethod({
  name: 'thread/name/set',
  params: ThreadNameSetParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    pipe(
      TE.fromEither(checkedThreadId(p.threadId, 'thread')),
      TE.chain((id) => setThreadName(ctx.ports, id, p.name)),
      TE.map((named) => {
        ctx.notify('thread/name/updated', { threadId: named.threadId, threadName: named.name }, 'afterAnswer');
        return {};
      }),
    ),
});
