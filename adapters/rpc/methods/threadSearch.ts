import { threadSearchMethod } from '../../../protocol/search.js';
import { searchThreads } from '../../../replay/history/searchThreads.js';
import { bindMethod } from '../method.js';

/** `thread/search`: threads whose current rollout file holds the term in a user or assistant message, in list order, with a snippet. */
export const threadSearch = bindMethod(threadSearchMethod, (ctx, p) => searchThreads(ctx.ports, p));
