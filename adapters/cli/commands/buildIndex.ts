import * as os from 'node:os';
import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerIndex = (program: Command): void => {
  withHomeOptions(program.command('index').description('index the rollouts of a CODEX_HOME into LMDB (incremental: only new bytes are read)'))
    .option('--rebuild', 'rebuild from scratch into a fresh environment, then swap it in')
    .option('--workers <n>', 'index a large catch-up in n worker threads (default 1)', (v) =>
      Math.max(1, Math.min(os.availableParallelism(), Number.parseInt(v, 10) || 1)),
    )
    .option('--no-reader-thread', 'read the rollouts on the indexing thread itself (less memory, slower)')
    .action(lazyAction(() => import('../actions/buildIndex.js')));
};
