import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerReview = (program: Command): void => {
  withHomeOptions(
    program
      .command('review')
      .description('start a review (`review/start`): inline in the thread, or detached in a new review thread forked from it')
      .argument('<threadId>', 'thread to review')
      .option('--custom <instructions>', 'review with these instructions')
      .option('--uncommitted', 'review the uncommitted changes')
      .option('--base-branch <branch>', 'review the changes against a branch')
      .option('--commit <sha>', 'review a commit')
      .option('--title <title>', "the commit's title (with --commit)")
      .option('--target <json>', 'the review target as review/start takes it')
      .option('--delivery <delivery>', 'where the review runs: inline (default) | detached'),
  ).action(lazyAction(() => import('../actions/review.js')));
};
