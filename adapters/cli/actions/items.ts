import type { Command } from 'commander';
import { pageCommandOf } from '../commandLine.js';
import { listItems } from '../../../replay/listItems.js';
import { ThreadItemsListParams } from '../../../protocol/items.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { ONE_THREAD, runOnHome } from '../runOnHome.js';
import { pageHints, itemLine } from '../renderHistory.js';

interface ItemsOptions extends HomeOptions {
  readonly turn?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly desc?: boolean;
}

/** The option each `thread/items/list` param comes from, to name it when the codec refuses it. */
const OPTION_OF = { threadId: '<threadId>', turnId: '--turn', limit: '--limit', cursor: '--cursor', sortDirection: '--desc' };

/** What `rollout-engine items` does (loaded by its action only). */
export const action = (threadId: string, opts: ItemsOptions, cmd: Command) =>
  withRequest(
    opts,
    decodeRequest(
      ThreadItemsListParams,
      { threadId, turnId: opts.turn, limit: numberOption(opts.limit), cursor: opts.cursor, sortDirection: opts.desc ? 'desc' : undefined },
      OPTION_OF,
    ),
    (q) =>
      runOnHome(
        opts,
        (home) => listItems(home.read, q),
        {
          text: (page) => [...page.data.map((e) => `${e.turnId}  ${itemLine(e.item, '')}`), ...pageHints(page, pageCommandOf(cmd, '--desc'))].join('\n'),
          // Codex answers a turn id the thread does not have with an empty page, not an error; a
          // person is told what that empty page may mean.
          notes: (page) =>
            page.data.length === 0 && opts.turn !== undefined && opts.cursor === undefined
              ? [`no items in turn ${opts.turn}: is it a turn of this thread? rollout-engine turns ${threadId} --view notLoaded lists them`]
              : [],
        },
        ONE_THREAD,
      ),
  );
