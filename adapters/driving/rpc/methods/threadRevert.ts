import { threadRevertMethod } from '../../../../protocol/historyWrites.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { revertThread } from '../../../../replay/mutations/revertThread.js';
import type { RevertResult } from '../../../../replay/mutations/revertThread.js';
import { bindMethod } from '../method.js';

/** `thread/revert`: a revision file keeping the history before `beforeTurnId`; then `thread/reverted`. */
export const threadRevert = bindMethod(threadRevertMethod, (ctx, p) =>
  TE.map(({ thread, turnsBackwardsCursor, itemsBackwardsCursor }: RevertResult) => {
    ctx.notify('thread/reverted', { threadId: p.threadId }, 'afterAnswer');
    return { thread, turnsBackwardsCursor, itemsBackwardsCursor };
  })(revertThread(ctx.ports, p)),
);
