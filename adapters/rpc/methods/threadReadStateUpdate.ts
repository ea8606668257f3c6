import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { updateReadState } from '../../../replay/updateReadState.js';
import { defineMethod, threadScope } from '../method.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';

/** `thread/readState/update` params; `rollout-engine read-state` decodes its options with it too. */
export const ThreadReadStateUpdateParams = t.type({
  threadId: t.string,
  operation: t.type({ type: t.keyof({ read: null, unread: null }) }),
  expectedRevision: t.string,
});

/** `thread/readState/update`: `{readState}`; a stale revision is Codex's `readStateConflict` error. The caller gets no notification (Codex sends it none). */
export const threadReadStateUpdate = defineMethod({
  name: 'thread/readState/update',
  params: ThreadReadStateUpdateParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    pipe(
      TE.fromEither(checkedThreadId(p.threadId, 'thread', 'params')),
      TE.chain((id) => updateReadState(ctx.ports, id, p.operation.type, p.expectedRevision)),
      TE.map((readState) => ({ readState })),
    ),
});
