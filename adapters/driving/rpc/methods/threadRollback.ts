import { threadRollbackMethod } from '../../../../protocol/historyWrites.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { rollbackThread } from '../../../../replay/mutations/rollbackThread.js';
import type { RollbackResult } from '../../../../replay/mutations/rollbackThread.js';
import { bindMethod } from '../method.js';

/** `thread/rollback` (earlier Codex): drop the last `numTurns` turns; the thread with the rest. */
export const threadRollback = bindMethod(threadRollbackMethod, (ctx, p) =>
  TE.map(({ thread }: RollbackResult) => ({ thread }))(rollbackThread(ctx.ports, p)),
);
