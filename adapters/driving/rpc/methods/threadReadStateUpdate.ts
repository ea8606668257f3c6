import { threadReadStateUpdateMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { updateReadState } from '../../../../replay/mutations/updateReadState.js';
import { bindMethod } from '../method.js';

/**
 * `thread/readState/update`: `{readState}`, after `thread/readState/changed` with the state applied
 * (Codex 0.171.0, codex-rs/app-server/src/codex_message_processor/thread_read_state.rs `notify`;
 * 0.169.0 sends none: the notification's `since`); a stale revision is Codex's `readStateConflict`
 * error, with no notification.
 */
export const threadReadStateUpdate = bindMethod(threadReadStateUpdateMethod, (ctx, p) =>
  pipe(
    updateReadState(ctx.ports, p),
    TE.map((readState) => {
      ctx.notify('thread/readState/changed', { threadId: p.threadId, readState }, 'beforeAnswer');
      return { readState };
    }),
  ),
);
