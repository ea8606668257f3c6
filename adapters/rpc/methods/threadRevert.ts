import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { revertThread } from '../../../replay/revertThread.js';
import type { RevertResult } from '../../../replay/revertThread.js';
import { defineMethod, threadScope } from '../method.js';

/** `thread/revert` params; `rollout-engine revert` decodes its options with it too. */
export const ThreadRevertParams = t.type({ threadId: t.string, beforeTurnId: t.string });

/** `thread/revert`: a revision file keeping the history before `beforeTurnId`; then `thread/reverted`. */
export const threadRevert = defineMethod({
  name: 'thread/revert',
  params: ThreadRevertParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    TE.map(({ thread, turnsBackwardsCursor, itemsBackwardsCursor }: RevertResult) => {
      ctx.notify('thread/reverted', { threadId: p.threadId }, 'afterAnswer');
      return { thread, turnsBackwardsCursor, itemsBackwardsCursor };
    })(revertThread(ctx.ports, p.threadId, p.beforeTurnId)),
});
