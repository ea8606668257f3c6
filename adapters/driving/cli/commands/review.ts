import type { EngineError } from '../../../../domain/errors.js';
import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import type { OptionsOf } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';
import { parseJson } from '../../../../domain/jsonNesting.js';

const REVIEW_OPTIONS = {
  custom: option('--custom <instructions>', 'review with these instructions'),
  uncommitted: option('--uncommitted', 'review the uncommitted changes'),
  baseBranch: option('--base-branch <branch>', 'review the changes against a branch'),
  commit: option('--commit <sha>', 'review a commit'),
  title: option('--title <title>', "the commit's title (with --commit)"),
  target: option('--target <json>', 'the review target as review/start takes it', { param: 'target' }),
  delivery: option('--delivery <delivery>', 'where the review runs: inline (default) | detached', {
    param: 'delivery',
  }),
  ...METHOD_VIEW_OPTIONS,
};

const TARGET_OPTIONS = '--custom, --uncommitted, --base-branch, --commit, --target';

/**
 * The `review/start` target the options describe, for the params codec to check: one target
 * option, and `--title` only with `--commit` (it is that commit's title; nothing else takes one).
 */
const targetOf = (
  o: OptionsOf<typeof REVIEW_OPTIONS>,
  invalidArgument: (what: string, reason: string) => EngineError,
): { target: unknown } | EngineError => {
  const given = [
    o.custom !== undefined,
    o.uncommitted === true,
    o.baseBranch !== undefined,
    o.commit !== undefined,
    o.target !== undefined,
  ];
  if (given.filter(Boolean).length !== 1) return invalidArgument('target', `give exactly one of ${TARGET_OPTIONS}`);
  if (o.title !== undefined && o.commit === undefined)
    return invalidArgument('--title', "only with --commit (it is that commit's title)");
  if (o.custom !== undefined) return { target: { type: 'custom', instructions: o.custom } };
  if (o.uncommitted === true) return { target: { type: 'uncommittedChanges' } };
  if (o.baseBranch !== undefined) return { target: { type: 'baseBranch', branch: o.baseBranch } };
  if (o.commit !== undefined) return { target: { type: 'commit', sha: o.commit, title: o.title ?? null } };
  try {
    return { target: parseJson(o.target!) as unknown };
  } catch (e) {
    return invalidArgument('--target', `not JSON: ${(e as Error).message}`);
  }
};

export const reviewCommand = command({
  name: 'review',
  description:
    'start a review (`review/start`): inline in the thread, or detached in a new review thread forked from it',
  arguments: [argument('<threadId>', 'thread to review', { param: 'threadId' })],
  options: REVIEW_OPTIONS,
  params: async ({ opts, request }) => {
    const [{ invalidArgument }, { reviewStartMethod }] = await Promise.all([
      import('../../../../domain/errors.js'),
      import('../../../../protocol/historyWrites.js'),
    ]);
    const target = targetOf(opts, invalidArgument);
    return '_tag' in target ? target : { method: reviewStartMethod, request: { ...request, target: target.target } };
  },
  onHome: {
    use: async ({ params: p }) => {
      const { startReview } = await import('../../../../replay/mutations/startReview.js');
      return (home) => startReview(home.mutations, p);
    },
    render: () => (v) =>
      `review turn ${v.turn.id} started in ${v.reviewThreadId}\n  ${v.written.path} (+${v.written.bytes} bytes)`,
  },
});
