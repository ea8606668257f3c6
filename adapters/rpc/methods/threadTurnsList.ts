import * as t from 'io-ts';
import { listTurns } from '../../../replay/listTurns.js';
import { defineMethod } from '../method.js';
import { ItemsView, SortDirection, U32, optional } from '../protocol.js';

/** `thread/turns/list` params; `rollout-engine turns` decodes its options with it too. */
export const ThreadTurnsListParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({ cursor: optional(t.string), limit: optional(U32), sortDirection: optional(SortDirection), itemsView: optional(ItemsView) }),
]);

/** `thread/turns/list`: a page of turns (default newest first, summary items, 25). */
export const threadTurnsList = defineMethod({
  name: 'thread/turns/list',
  params: ThreadTurnsListParams,
  // As Codex: pages of append-only rollouts run concurrently with anything.
  scope: () => null,
  handle: (ctx, p) => listTurns(ctx.ports, p),
});
