import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { defineMethod } from '../method.js';
import { U32, optional } from '../protocol.js';

export const ThreadLoadedListParams = optional(t.partial({ cursor: optional(t.string), limit: optional(U32) }));

/** `thread/loaded/list`: the threads this server holds loaded (`loadedThreads.ts` says which), a page at a time. */
export const threadLoadedList = defineMethod({
  name: 'thread/loaded/list',
  params: ThreadLoadedListParams,
  scope: () => null,
  handle: (ctx, p) => TE.right(ctx.loaded.page(p?.cursor ?? undefined, p?.limit ?? undefined)),
});
