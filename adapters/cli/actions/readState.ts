import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { updateReadState } from '../../../replay/updateReadState.js';
import { ThreadReadStateUpdateParams } from '../../../protocol/management.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine read-state` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions & { mark: string; expectedRevision: string }) =>
  withRequest(
    opts,
    decodeRequest(
      ThreadReadStateUpdateParams,
      { threadId, operation: { type: opts.mark }, expectedRevision: opts.expectedRevision },
      { threadId: '<threadId>', operation: '--mark', expectedRevision: '--expected-revision' },
    ),
    (p) =>
      runOnHome(
        opts,
        (home) =>
          pipe(
            TE.fromEither(checkedThreadId(p.threadId, 'thread', 'params')),
            TE.chain((id) => updateReadState(home.mutations, id, p.operation.type, p.expectedRevision)),
            TE.map((readState) => ({ readState })),
          ),
        ({ readState }) => `${p.threadId}: ${readState.firstUnread === null ? 'read' : 'unread'} (revision ${readState.revision})`,
      ),
  );
