import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../rpc/boundedLines.js';
import { DEFAULT_MAX_QUEUED_PER_KEY, DEFAULT_MAX_REQUESTS_PER_CONNECTION } from '../../rpc/scheduler.js';

/** `rollout-engine serve`: the history API over JSON-RPC on stdio, answered from the index. */
export const registerServe = (program: Command): void => {
  withHomeOptions(
    program
      .command('serve')
      .description(
        'answer the history API (thread/list, read, turns/list, items/list) and its mutations (thread/fork, revert, rollback, review/start, thread/tokenUsage/read) over JSON-RPC on stdio',
      )
      .option('--gate-wait-ms <ms>', 'how long to wait for another process backfilling the index')
      .option('--max-request-bytes <n>', `the largest message a client may send; a longer one is refused without being held (default ${DEFAULT_MAX_REQUEST_BYTES})`)
      .option(
        '--max-requests-per-connection <n>',
        `requests one client may have waiting for their answers; one more is answered -32001 "Server overloaded; retry later." (default ${DEFAULT_MAX_REQUESTS_PER_CONNECTION})`,
      )
      .option(
        '--max-queued-per-thread <n>',
        `requests that may wait for one thread behind those running on it; one more is answered -32001 (default ${DEFAULT_MAX_QUEUED_PER_KEY})`,
      ),
    false,
  ).action(lazyAction(() => import('../actions/serve.js')));
};
