import * as t from 'io-ts';
import type { ThreadItem } from '../domain/thread/threadItem.js';
import { refusedValue, rejected } from '../domain/errors.js';
import type { EngineError } from '../domain/errors.js';
import { SortDirection, U32, optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';
import { NOT_LOADED } from './threadIdRule.js';

const ItemAnchor = t.type({ type: t.literal('item'), itemId: t.string });

/** `thread/items/list` params; `rollout-engine items` decodes its options with it too. */
export const ThreadItemsListParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({
    turnId: optional(t.string),
    // Named as Codex's untagged enum, which its refusal of any other cursor names (v2.rs).
    cursor: optional(t.union([t.string, ItemAnchor], 'ThreadItemsListCursor')),
    limit: optional(U32),
    sortDirection: optional(SortDirection),
    // Codex's ThreadItemOutputDeferral. `mcpToolCall` defers a successful MCP call's plain-text
    // result; the history has no MCP call items yet, so there is none to defer.
    deferOutput: optional(t.partial({ commandExecution: optional(t.boolean), mcpToolCall: optional(t.boolean) })),
  }),
]);

/** One item of a `thread/items/list` page, with its turn. */
export interface ItemEntry {
  readonly turnId: string;
  readonly item: ThreadItem;
  readonly outputDeferred?: true;
  readonly startedAtMs: number | null;
  readonly completedAtMs: number | null;
}

/** A page of items, as `thread/items/list` answers it. */
export interface ItemPage {
  readonly data: ItemEntry[];
  readonly nextCursor: string | null;
  readonly backwardsCursor: string | null;
}

/** `thread/items/read` params: some items of one turn, by id. */
export const ThreadItemsReadParams = t.type({ threadId: t.string, turnId: t.string, itemIds: t.array(t.string) });

/** How many ids one `thread/items/read` takes (Codex: 1 to 100). */
export const MAX_ITEMS_READ = 100;

/** Codex's refusal of a `thread/items/read` asking for no ids or too many, said before its thread id is read (measured on 0.169.0 by the fuzzer). */
export const itemIdsRefusal = (p: { readonly itemIds: ReadonlyArray<string> }): EngineError | undefined =>
  p.itemIds.length < 1 || p.itemIds.length > MAX_ITEMS_READ
    ? rejected(`itemIds must contain 1 to ${MAX_ITEMS_READ} IDs`)
    : undefined;

/** What `thread/items/read` answers: the items found, in stored order. */
export interface ItemsRead {
  readonly data: ItemEntry[];
}

/** `thread/items/read` (experimental in Codex 0.169.0): the items of one turn with the ids asked for, unknown ids skipped. */
export const threadItemsReadMethod = method<ItemsRead>()({
  name: 'thread/items/read',
  params: ThreadItemsReadParams,
  // A read of an append-only rollout, as thread/items/list.
  scope: unscoped,
  experimental: true,
  threadId: { what: 'thread', unknown: NOT_LOADED },
  firstCheck: itemIdsRefusal,
});

/** `thread/items/list`: a page of items (default oldest first, 25), paginated and legacy threads alike. */
/** Codex's refusal of an item anchor without its turn, said before the thread is read (measured on 0.169.0 by the fuzzer: -32602). */
export const anchorWithoutTurn = (p: {
  readonly cursor?: unknown;
  readonly turnId?: string | null;
}): EngineError | undefined =>
  p.cursor !== null && typeof p.cursor === 'object' && (p.turnId ?? '') === ''
    ? refusedValue('turnId', 'turnId is required when cursor is an item anchor')
    : undefined;

export const threadItemsListMethod = method<ItemPage>()({
  name: 'thread/items/list',
  params: ThreadItemsListParams,
  // As Codex: pages of append-only rollouts run concurrently with anything.
  scope: unscoped,
  // Codex answers an unknown id here as on a legacy thread (-32601, not supported); we serve
  // legacy threads, so we say what `thread/turns/list` says.
  threadId: { what: 'thread', unknown: NOT_LOADED },
  firstCheck: anchorWithoutTurn,
});
