import { threadLoadedListMethod } from '../../../../protocol/threads.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { bindMethod } from '../method.js';

/** `thread/loaded/list`: the threads this server holds loaded (`loadedThreads.ts` says which), a page at a time. */
export const threadLoadedList = bindMethod(threadLoadedListMethod, (ctx, p) =>
  TE.right(ctx.loaded.page(p?.cursor ?? undefined, p?.limit ?? undefined)),
);
