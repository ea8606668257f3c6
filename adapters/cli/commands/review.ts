import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { invalidArgument } from '../../../domain/errors.js';
import { renderDecodeErrors } from '../../../domain/decodeErrors.js';
import { ReviewTarget } from '../../../domain/review/reviewTarget.js';
import { startReview } from '../../../replay/startReview.js';
import type { ReviewDelivery } from '../../../replay/startReview.js';
import { withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';
import { reportError } from '../exitCodes.js';

interface ReviewOptions extends HomeOptions {
  readonly custom?: string;
  readonly uncommitted?: boolean;
  readonly baseBranch?: string;
  readonly commit?: string;
  readonly title?: string;
  readonly target?: string;
  readonly delivery: ReviewDelivery;
}

const targetOf = (o: ReviewOptions): E.Either<ReturnType<typeof invalidArgument>, ReviewTarget> => {
  const given = [o.custom !== undefined, o.uncommitted === true, o.baseBranch !== undefined, o.commit !== undefined, o.target !== undefined];
  if (given.filter(Boolean).length !== 1) return E.left(invalidArgument('target', 'give exactly one of --custom, --uncommitted, --base-branch, --commit, --target'));
  if (o.custom !== undefined) return E.right({ type: 'custom', instructions: o.custom });
  if (o.uncommitted === true) return E.right({ type: 'uncommittedChanges' });
  if (o.baseBranch !== undefined) return E.right({ type: 'baseBranch', branch: o.baseBranch });
  if (o.commit !== undefined) return E.right({ type: 'commit', sha: o.commit, title: o.title ?? null });
  let json: unknown;
  try {
    json = JSON.parse(o.target!);
  } catch (e) {
    return E.left(invalidArgument('target', `not JSON: ${(e as Error).message}`));
  }
  return E.mapLeft((errs: Parameters<typeof renderDecodeErrors>[0]) => invalidArgument('target', renderDecodeErrors(errs)))(ReviewTarget.decode(json));
};

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
      .addOption(new Option('--delivery <delivery>', 'where the review runs').choices(['inline', 'detached']).default('inline')),
  ).action(async (threadId: string, opts: ReviewOptions) => {
    const target = targetOf(opts);
    if (E.isLeft(target)) return reportError(target.left);
    await runOnHome(
      opts,
      (home) => startReview(home.mutations, threadId, target.right, opts.delivery),
      (v) => `review turn ${v.turn.id} started in ${v.reviewThreadId}\n  ${v.written.path} (+${v.written.bytes} bytes)`,
    );
  });
};
