import type { Command } from 'commander';
import { pageCommandOf } from '../commandLine.js';
import { listTurns } from '../../../replay/listTurns.js';
import { ThreadTurnsListParams } from '../../../protocol/turns.js';
import { decodeRequest, numberOption, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { ONE_THREAD, runOnHome } from '../runOnHome.js';
import { pageHints, turnLines } from '../renderHistory.js';

interface TurnsOptions extends HomeOptions {
  readonly view?: string;
  readonly limit?: string;
  readonly cursor?: string;
  readonly asc?: boolean;
}

/** The option each `thread/turns/list` param comes from, to name it when the codec refuses it. */
const OPTION_OF = { threadId: '<threadId>', itemsView: '--view', limit: '--limit', cursor: '--cursor', sortDirection: '--asc' };

/** What `rollout-engine turns` does (loaded by its action only). */
export const action = (threadId: string, opts: TurnsOptions, cmd: Command) =>
  withRequest(
    opts,
    decodeRequest(
      ThreadTurnsListParams,
      { threadId, itemsView: opts.view, limit: numberOption(opts.limit), cursor: opts.cursor, sortDirection: opts.asc ? 'asc' : undefined },
      OPTION_OF,
    ),
    (q) =>
      runOnHome(
        opts,
        (home) => listTurns(home.read, q),
        (page) => [...page.data.flatMap(turnLines), ...pageHints(page, pageCommandOf(cmd, '--asc'))].join('\n'),
        ONE_THREAD,
      ),
  );
