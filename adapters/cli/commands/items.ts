import type { Command } from 'commander';
import { listItems } from '../../../replay/listItems.js';
import type { ListItemsQuery } from '../../../replay/listItems.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { cursorsLine, itemLine } from '../renderHistory.js';

/** `rollout-engine items <threadId>`: `thread/items/list`, oldest first (legacy threads too). */
export const registerItems = (program: Command): void => {
  withHomeOptions(
    program
      .command('items')
      .description("one page of a thread's items (or one turn's), as `thread/items/list` returns it")
      .argument('<threadId>', 'thread id')
      .option('--turn <turnId>', "only this turn's items")
      .option('--limit <n>', 'page size (default 25, at most 100)', (v) => Number.parseInt(v, 10))
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--desc', 'newest first'),
  ).action((threadId: string, opts: HomeOptions & { turn?: string; limit?: number; cursor?: string; desc?: boolean }) => {
    const q: ListItemsQuery = {
      threadId,
      turnId: opts.turn ?? null,
      limit: opts.limit ?? null,
      cursor: opts.cursor ?? null,
      sortDirection: opts.desc ? 'desc' : 'asc',
    };
    return runOnHome(
      opts,
      (home) => listItems(home.read, q),
      (page) => [...page.data.map((e) => `${e.turnId}  ${itemLine(e.item, '')}`), cursorsLine(page)].join('\n'),
    );
  });
};
