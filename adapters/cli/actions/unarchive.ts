import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { unarchiveThread } from '../../../replay/unarchiveThread.js';
import { ThreadIdParams } from '../../rpc/methods/threadArchive.js';
import { checkedThreadId } from '../../rpc/threadIdSyntax.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

/** What `rollout-engine unarchive` does (loaded by its action only). */
export const action = (threadId: string, opts: HomeOptions) =>
  withRequest(opts, decodeRequest(ThreadIdParams, { threadId }, { threadId: '<threadId>' }), (p) =>
    runOnHome(
      opts,
      (home) =>
        pipe(
          TE.fromEither(checkedThreadId(p.threadId, 'session')),
          TE.chain((id) => unarchiveThread(home.mutations, id)),
        ),
      (v) => `unarchived ${v.threadId}\n${v.moved.map((m) => `  ${m.from} → ${m.to}`).join('\\n')}`,
    ),
  );
