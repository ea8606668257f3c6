import { command, ONE_THREAD } from '../commandSpec.js';
import { argument, numberOption, option } from '../optionTable.js';
import { pageCommandOf } from '../commandLine.js';
import { itemLines, limitNotes, pageHints } from '../renderHistory.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';
import { terminalText } from '../terminalText.js';

/** `rollout-engine items <threadId>`: `thread/items/list`, oldest first (legacy threads too). */
export const itemsCommand = command({
  name: 'items',
  description: "one page of a thread's items (or one turn's), as `thread/items/list` returns it",
  arguments: [argument('<threadId>', 'thread id', { param: 'threadId' })],
  options: {
    turn: option('--turn <turnId>', "only this turn's items", { param: 'turnId' }),
    limit: option('--limit <n>', 'page size (default 25, at most 100)', { param: 'limit', toParam: numberOption }),
    cursor: option('--cursor <cursor>', 'a nextCursor or backwardsCursor from an earlier page', { param: 'cursor' }),
    desc: option('--desc', 'newest first', { param: 'sortDirection', toParam: (desc) => (desc ? 'desc' : undefined) }),
    ...METHOD_VIEW_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../../protocol/items.js')).threadItemsListMethod }),
  onHome: {
    use: async ({ params, opts }) => {
      const [{ listItems }, { isCodexVersion }, { itemPresenceAt }] = await Promise.all([
        import('../../../../replay/history/listItems.js'),
        import('../../../../protocol/codexVersions.js'),
        import('../../../../protocol/itemDeltas.js'),
      ]);
      // The items the version it speaks has (`--codex-version`, resolved by commandSpec), as serve's pages count them.
      const presence = isCodexVersion(opts.codexVersion) ? itemPresenceAt(opts.codexVersion) : undefined;
      return (home) => listItems(home.read, params, presence);
    },
    render: ({ args: [threadId], opts, cmd, params }) => ({
      text: (page) =>
        [
          ...page.data.flatMap((e) => itemLines(e.item, `${terminalText(e.turnId)}  `)),
          ...pageHints(page, pageCommandOf(cmd, '--desc')),
        ].join('\n'),
      // Codex answers a turn id the thread does not have with an empty page, not an error; a
      // person is told what that empty page may mean.
      notes: (page) => [
        ...limitNotes(params.limit),
        ...(page.data.length === 0 && opts.turn !== undefined && opts.cursor === undefined
          ? [
              `no items in turn ${opts.turn}: is it a turn of this thread? rollout-engine turns ${threadId} --view notLoaded lists them`,
            ]
          : []),
      ],
    }),
    open: ONE_THREAD,
  },
});
