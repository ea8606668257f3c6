import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { ItemPage } from '../../protocol/items.js';
import type { RpcClient } from './rpcClient.js';
import type { TurnTokens } from './turnRow.js';

/** A turn's items for its expanded row, page by page (`thread/items/list`), command output deferred. */
export const turnItems = async (
  rpc: RpcClient,
  threadId: string,
  turnId: string,
  pageSize: number,
): Promise<ThreadItem[]> => {
  const items: ThreadItem[] = [];
  let cursor: string | null = null;
  do {
    const page: ItemPage = await rpc.typed.request('thread/items/list', {
      threadId,
      turnId,
      limit: pageSize,
      deferOutput: { commandExecution: true },
      ...(cursor === null ? {} : { cursor }),
    });
    items.push(...page.data.map((e) => e.item));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
};

/** A command's output, deferred when the turn was expanded: the one item, anchored on its neighbour in the turn's `items`. */
export const deferredItem = async (
  rpc: RpcClient,
  threadId: string,
  turnId: string,
  items: ReadonlyArray<ThreadItem>,
  itemId: string,
): Promise<ThreadItem | null> => {
  const at = items.findIndex((i) => i.id === itemId);
  const before = items[at - 1];
  const after = items[at + 1];
  const params =
    before !== undefined
      ? { cursor: { type: 'item' as const, itemId: before.id }, sortDirection: 'asc' as const }
      : after !== undefined
        ? { cursor: { type: 'item' as const, itemId: after.id }, sortDirection: 'desc' as const }
        : { sortDirection: 'asc' as const };
  const page = await rpc.typed.request('thread/items/list', { threadId, turnId, limit: 1, ...params });
  return page.data.find((e) => e.item.id === itemId)?.item ?? null;
};

/** Tokens up to and with each turn, oldest first (known once the first turn is loaded). */
export const cumulativeTokens = (
  rows: ReadonlyArray<{ readonly turn: { readonly id: string } }>,
  usage: ReadonlyMap<string, TurnTokens>,
): Map<string, number> => {
  const sums = new Map<string, number>();
  let sum = 0;
  for (const row of rows) {
    sum += usage.get(row.turn.id)?.total ?? 0;
    sums.set(row.turn.id, sum);
  }
  return sums;
};
