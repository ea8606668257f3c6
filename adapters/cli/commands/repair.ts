import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

/**
 * `rollout-engine repair`: re-index what the last `verify` found to differ (`verify.json` in the
 * index dir) and the files not indexed as they are now, in place when they are a small share of
 * the home; otherwise, or without findings that still hold, rebuild the index into a fresh
 * environment and swap it in, as `index --rebuild` does. Either way no slower than a rebuild.
 */
export const registerRepair = (program: Command): void => {
  withHomeOptions(
    program
      .command('repair')
      .description('re-index what the last verify found to differ, or rebuild the index when that is most of it (or verify was not run): no slower than index --rebuild'),
  ).action(lazyAction(() => import('../actions/repair.js')));
};
