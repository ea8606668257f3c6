import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';
import { LISTED_DIFFERENCES } from '../listedDifferences.js';

/**
 * `rollout-engine verify`: the index against a fresh fold of the files (exit 3 when they differ),
 * compared file by file in bounded memory. It prints counts per table and the first differences;
 * `--all` lists every one as it is found. With `--json`: the report, `diffs` the first ones (all
 * with `--all`), `omitted` how many more there are. What differs is kept in `verify.json` in the
 * index dir, for `repair`.
 */
export const registerVerify = (program: Command): void => {
  withHomeOptions(
    program
      .command('verify')
      .description('compare the index with a fresh fold of the rollout files: counts per table and the first differences (exit 3 if any)')
      .option('--all', `list every difference (default: the first ${LISTED_DIFFERENCES})`),
  ).action(lazyAction(() => import('../actions/verify.js')));
};
