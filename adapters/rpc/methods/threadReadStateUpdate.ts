import { threadReadStateUpdateMethod } from '../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { updateReadState } from '../../../replay/mutations/updateReadState.js';
import { bindMethod } from '../method.js';

/** `thread/readState/update`: `{readState}`; a stale revision is Codex's `readStateConflict` error. The caller gets no notification (Codex sends it none). */
export const threadReadStateUpdate = bindMethod(threadReadStateUpdateMethod, (ctx, p) =>
  pipe(
    updateReadState(ctx.ports, p),
    TE.map((readState) => ({ readState })),
  ),
);
