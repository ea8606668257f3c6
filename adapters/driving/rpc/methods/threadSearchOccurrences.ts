import { threadSearchOccurrencesMethod } from '../../../../protocol/search.js';
import { searchOccurrences } from '../../../../replay/history/searchOccurrences.js';
import { bindMethod } from '../method.js';

/** `thread/searchOccurrences`: the term's occurrences in one thread's visible messages, oldest first, one page. */
export const threadSearchOccurrences = bindMethod(threadSearchOccurrencesMethod, (ctx, p) =>
  searchOccurrences(ctx.ports, p),
);
