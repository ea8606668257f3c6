import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { ReviewStartParams } from '../../../protocol/history.js';
import { startReviewFor } from '../../rpc/methods/reviewStart.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

interface ReviewOptions extends HomeOptions {
  readonly custom?: string;
  readonly uncommitted?: boolean;
  readonly baseBranch?: string;
  readonly commit?: string;
  readonly title?: string;
  readonly target?: string;
  readonly delivery?: string;
}

const TARGET_OPTIONS = '--custom, --uncommitted, --base-branch, --commit, --target';

/**
 * The `review/start` target the options describe, for the params codec to check: one target
 * option, and `--title` only with `--commit` (it is that commit's title; nothing else takes one).
 */
const targetOf = (o: ReviewOptions): E.Either<EngineError, unknown> => {
  const given = [o.custom !== undefined, o.uncommitted === true, o.baseBranch !== undefined, o.commit !== undefined, o.target !== undefined];
  if (given.filter(Boolean).length !== 1) return E.left(invalidArgument('target', `give exactly one of ${TARGET_OPTIONS}`));
  if (o.title !== undefined && o.commit === undefined) return E.left(invalidArgument('--title', "only with --commit (it is that commit's title)"));
  if (o.custom !== undefined) return E.right({ type: 'custom', instructions: o.custom });
  if (o.uncommitted === true) return E.right({ type: 'uncommittedChanges' });
  if (o.baseBranch !== undefined) return E.right({ type: 'baseBranch', branch: o.baseBranch });
  if (o.commit !== undefined) return E.right({ type: 'commit', sha: o.commit, title: o.title ?? null });
  return E.tryCatch(
    () => JSON.parse(o.target!) as unknown,
    (e) => invalidArgument('--target', `not JSON: ${(e as Error).message}`),
  );
};

/** What `rollout-engine review` does (loaded by its action only). */
export const action = (threadId: string, opts: ReviewOptions) =>
  withRequest(
    opts,
    E.chain((target: unknown) =>
      decodeRequest(ReviewStartParams, { threadId, target, delivery: opts.delivery }, { threadId: '<threadId>', target: '--target', delivery: '--delivery' }),
    )(targetOf(opts)),
    (p) =>
      runOnHome(
        opts,
        (home) => startReviewFor(home.mutations, p),
        (v) => `review turn ${v.turn.id} started in ${v.reviewThreadId}\n  ${v.written.path} (+${v.written.bytes} bytes)`,
      ),
  );
