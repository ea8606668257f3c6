import { threadNameSetMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { setThreadName } from '../../../../replay/mutations/setThreadName.js';
import { bindMethod } from '../method.js';

/** `thread/name/set`: `{}`, then `thread/name/updated` with the name as stored (trimmed), as Codex orders them. */
export const threadNameSet = bindMethod(threadNameSetMethod, (ctx, p) =>
  pipe(
    setThreadName(ctx.ports, p),
    TE.map((named) => {
      ctx.notify('thread/name/updated', { threadId: named.threadId, threadName: named.name }, 'afterAnswer');
      return {};
    }),
  ),
);
