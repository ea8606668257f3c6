import type { Command } from 'commander';
import { listTurns } from '../../../replay/listTurns.js';
import type { ListTurnsQuery } from '../../../replay/listTurns.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { cursorsLine, turnLines } from '../renderHistory.js';

/** `rollout-engine turns <threadId>`: `thread/turns/list`, newest first. */
export const registerTurns = (program: Command): void => {
  withHomeOptions(
    program
      .command('turns')
      .description("one page of a thread's turns, as `thread/turns/list` returns it")
      .argument('<threadId>', 'thread id')
      .option('--view <view>', 'notLoaded | summary | full', 'summary')
      .option('--limit <n>', 'page size (default 25, at most 100)', (v) => Number.parseInt(v, 10))
      .option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page')
      .option('--asc', 'oldest first'),
  ).action((threadId: string, opts: HomeOptions & { view: string; limit?: number; cursor?: string; asc?: boolean }) => {
    const q: ListTurnsQuery = {
      threadId,
      itemsView: opts.view as ListTurnsQuery['itemsView'],
      limit: opts.limit ?? null,
      cursor: opts.cursor ?? null,
      sortDirection: opts.asc ? 'asc' : 'desc',
    };
    return runOnHome(
      opts,
      (home) => listTurns(home.read, q),
      (page) => [...page.data.flatMap(turnLines), cursorsLine(page)].join('\n'),
    );
  });
};
