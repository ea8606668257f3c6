import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { setThreadName } from '../../../replay/setThreadName.js';
import { ThreadNameSetParams } from '../../../protocol/management.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine name` does (loaded by its action only). */
export const action = (threadId: string, name: string, opts: HomeOptions) =>
  withRequest(opts, decodeRequest(ThreadNameSetParams, { threadId, name }, { threadId: '<threadId>', name: '<name>' }), (p) =>
    runOnHome(
      opts,
      (home) =>
        pipe(
          TE.fromEither(checkedThreadId(p.threadId, 'thread')),
          TE.chain((id) => setThreadName(home.mutations, id, p.name)),
        ),
      (v) => `named ${v.threadId} "${v.name}"`,
    ),
  );
