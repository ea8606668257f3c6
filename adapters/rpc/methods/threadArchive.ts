import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { archiveThread } from '../../../replay/archiveThread.js';
import { defineMethod } from '../method.js';
import { checkedThreadId } from '../threadIdSyntax.js';

/** `thread/archive` / `thread/unarchive` / `thread/delete` params; the CLI decodes its argument with it too. */
export const ThreadIdParams = t.type({ threadId: t.string });

/** `thread/archive`: `{}`, then `thread/archived`. */
export const threadArchive = defineMethod({
  name: 'thread/archive',
  params: ThreadIdParams,
  handle: (ctx, p) =>
    pipe(
      TE.fromEither(checkedThreadId(p.threadId, 'session')),
      TE.chain((id) => archiveThread(ctx.ports, id)),
      TE.map(({ threadId }) => {
        ctx.notify('thread/archived', { threadId }, 'afterAnswer');
        return {};
      }),
    ),
});
