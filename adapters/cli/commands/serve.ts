import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../rpc/boundedLines.js';

/** `rollout-engine serve`: the history API over JSON-RPC on stdio, answered from the index. */
export const registerServe = (program: Command): void => {
  withHomeOptions(
    program
      .command('serve')
      .description(
        'answer the history API (thread/list, read, turns/list, items/list) and its mutations (thread/fork, revert, rollback, review/start, thread/tokenUsage/read) over JSON-RPC on stdio',
      )
      .option('--gate-wait-ms <ms>', 'how long to wait for another process backfilling the index')
      .option('--max-request-bytes <n>', `the largest message a client may send; a longer one is refused without being held (default ${DEFAULT_MAX_REQUEST_BYTES})`),
    false,
  ).action(lazyAction(() => import('../actions/serve.js')));
};
