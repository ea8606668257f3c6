import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { rollbackThread } from '../../../replay/rollbackThread.js';
import type { RollbackResult } from '../../../replay/rollbackThread.js';
import { defineMethod, threadScope } from '../method.js';
import { U32 } from '../protocol.js';

/** `thread/rollback` params (earlier Codex: `numTurns` a u32); `rollout-engine rollback` decodes its options with it too. */
export const ThreadRollbackParams = t.type({ threadId: t.string, numTurns: U32 });

/** `thread/rollback` (earlier Codex): drop the last `numTurns` turns; the thread with the rest. */
export const threadRollback = defineMethod({
  name: 'thread/rollback',
  params: ThreadRollbackParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) => TE.map(({ thread }: RollbackResult) => ({ thread }))(rollbackThread(ctx.ports, p.threadId, p.numTurns)),
});
