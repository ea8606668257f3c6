import * as TE from 'fp-ts/lib/TaskEither.js';
import { rolloutAppendMethod } from '../../../../protocol/historyWrites.js';
import { appendThreadLines } from '../../../../replay/mutations/appendLines.js';
import type { AppendLinesResult } from '../../../../replay/mutations/appendLines.js';
import { bindMethod } from '../method.js';

/**
 * `rollout/append`: append to a thread's current rollout file through the locked writer, indexed
 * before the answer; a Conflict is -32600 with `data: {path, expected, actual}`. Subscribers of the
 * thread are told what landed (`threadSubscriptions.ts`).
 */
export const rolloutAppend = bindMethod(rolloutAppendMethod, (ctx, p) =>
  TE.map((r: AppendLinesResult) => {
    ctx.threads?.changed(p.threadId);
    return r;
  })(appendThreadLines(ctx.ports, p)),
);
