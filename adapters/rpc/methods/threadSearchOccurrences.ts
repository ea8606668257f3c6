import * as t from 'io-ts';
import { searchOccurrences } from '../../../replay/searchOccurrences.js';
import { defineMethod } from '../method.js';
import { U32, optional } from '../protocol.js';

/** `thread/searchOccurrences` params (Codex's `ThreadSearchOccurrencesParams`); `rollout-engine search --thread` decodes its options with it too. */
export const ThreadSearchOccurrencesParams = t.intersection([
  t.type({ threadId: t.string, searchTerm: t.string }),
  t.partial({ cursor: optional(t.string), limit: optional(U32) }),
]);

/** `thread/searchOccurrences`: the term's occurrences in one thread's visible messages, oldest first, one page. */
export const threadSearchOccurrences = defineMethod({
  name: 'thread/searchOccurrences',
  params: ThreadSearchOccurrencesParams,
  scope: () => null,
  handle: (ctx, p) => searchOccurrences(ctx.ports, p),
});
