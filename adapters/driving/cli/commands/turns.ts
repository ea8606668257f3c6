import { command, ONE_THREAD } from '../commandSpec.js';
import { pageCommandOf } from '../commandLine.js';
import { limitNotes, pageHints, turnLines } from '../renderHistory.js';
import { argument, numberOption, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

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
    ...METHOD_VIEW_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../../protocol/turns.js')).threadTurnsListMethod }),
  onHome: {
    use: async ({ params, opts }) => {
      const [{ listTurns }, { isCodexVersion }, { itemPresenceAt }] = await Promise.all([
        import('../../../../replay/history/listTurns.js'),
        import('../../../../protocol/codexVersions.js'),
        import('../../../../protocol/itemDeltas.js'),
      ]);
      // The items the version it speaks has (`--codex-version`, resolved by commandSpec), as serve's pages count them.
      const presence = isCodexVersion(opts.codexVersion) ? itemPresenceAt(opts.codexVersion) : undefined;
      return (home) => listTurns(home.read, params, presence);
    },
    render: ({ cmd, params }) => ({
      text: (page) => [...page.data.flatMap(turnLines), ...pageHints(page, pageCommandOf(cmd, '--asc'))].join('\n'),
      notes: () => limitNotes(params.limit),
    }),
    open: ONE_THREAD,
  },
});
