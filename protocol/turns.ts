import * as t from 'io-ts';
import type { Turn } from '../domain/thread/turn.js';
import { ItemsView, SortDirection, U32, optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';
import { NOT_LOADED } from './threadIdRule.js';

/** `thread/turns/list` params; `rollout-engine turns` decodes its options with it too. */
export const ThreadTurnsListParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({
    cursor: optional(t.string),
    limit: optional(U32),
    sortDirection: optional(SortDirection),
    itemsView: optional(ItemsView),
  }),
]);

/** A page of turns, as `thread/turns/list` answers it. */
export interface TurnPage {
  readonly data: Turn[];
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

/** `thread/turns/list`: a page of turns (default newest first, summary items, 25). */
export const threadTurnsListMethod = method<TurnPage>()({
  name: 'thread/turns/list',
  params: ThreadTurnsListParams,
  // As Codex: pages of append-only rollouts run concurrently with anything.
  scope: unscoped,
  threadId: { what: 'thread', unknown: NOT_LOADED },
});
