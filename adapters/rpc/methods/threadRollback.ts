import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { rollbackThread } from '../../../replay/rollbackThread.js';
import type { RollbackResult } from '../../../replay/rollbackThread.js';
import { defineMethod } from '../method.js';

/** `thread/rollback` (earlier Codex): drop the last `numTurns` turns; the thread with the rest. */
export const threadRollback = defineMethod({
  name: 'thread/rollback',
  params: t.type({ threadId: t.string, numTurns: t.number }),
  handle: (ctx, p) => TE.map(({ thread }: RollbackResult) => ({ thread }))(rollbackThread(ctx.ports, p.threadId, p.numTurns)),
});
