import type { Command } from 'commander';
import { argument, command, numberOption, option, registerCommand } from '../commandSpec.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

/** `rollout-engine turns <threadId>`: `thread/turns/list`, newest first. */
export const turnsCommand = command({
  name: 'turns',
  description: "one page of a thread's turns, as `thread/turns/list` returns it",
  arguments: [argument('<threadId>', 'thread id', { param: 'threadId' })],
  options: {
    view: option('--view <view>', 'items of each turn: notLoaded | summary (default) | full', { param: 'itemsView' }),
    limit: option('--limit <n>', 'page size (default 25, at most 100)', { param: 'limit', toParam: numberOption }),
    cursor: option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page', { param: 'cursor' }),
    asc: option('--asc', 'oldest first', { param: 'sortDirection', toParam: (asc) => (asc ? 'asc' : undefined) }),
    ...HOME_AND_JSON_OPTIONS,
  },
  params: async () => ({ codec: (await import('../../rpc/methods/threadTurnsList.js')).ThreadTurnsListParams }),
  run: async ({ opts, params, cmd }) => {
    const [{ listTurns }, { ONE_THREAD, runOnHome }, { pageHints, turnLines }, { pageCommandOf }] = await Promise.all([
      import('../../../replay/listTurns.js'),
      import('../runOnHome.js'),
      import('../renderHistory.js'),
      import('../commandLine.js'),
    ]);
    await runOnHome(
      opts,
      (home) => listTurns(home.read, params),
      (page) => [...page.data.flatMap(turnLines), ...pageHints(page, pageCommandOf(cmd, '--asc'))].join('\n'),
      ONE_THREAD,
    );
  },
});

export const registerTurns = (program: Command): void => {
  registerCommand(program, turnsCommand);
};
