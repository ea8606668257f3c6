import * as t from 'io-ts';

/** `review/start` target (app-server v2): what to review. Stored in the rollout as given. */
export const ReviewTarget = t.union([
  t.type({ type: t.literal('uncommittedChanges') }),
  t.type({ type: t.literal('baseBranch'), branch: t.string }),
  t.intersection([
    t.type({ type: t.literal('commit'), sha: t.string }),
    t.partial({ title: t.union([t.string, t.null]) }),
  ]),
  t.type({ type: t.literal('custom'), instructions: t.string }),
]);
export type ReviewTarget = t.TypeOf<typeof ReviewTarget>;

/** How Codex names a review target to the user (`user_facing_hint`, the review item's text). */
export const userFacingHint = (target: ReviewTarget): string => {
  switch (target.type) {
    case 'uncommittedChanges':
      return 'current changes';
    case 'baseBranch':
      return `changes against '${target.branch}'`;
    case 'commit': {
      const short = [...target.sha].slice(0, 7).join('');
      return target.title ? `commit ${short}: ${target.title}` : `commit ${short}`;
    }
    case 'custom':
      return target.instructions.trim();
  }
};

/** A custom review needs something to review for; Codex refuses an empty prompt. */
export const emptyReviewPrompt = (target: ReviewTarget): boolean =>
  target.type === 'custom' && target.instructions.trim() === '';

/** The target as the rollout stores it (Codex's ReviewTarget serialisation). */
export const storedTarget = (target: ReviewTarget): Record<string, unknown> => {
  switch (target.type) {
    case 'uncommittedChanges':
      return { type: 'uncommittedChanges' };
    case 'baseBranch':
      return { type: 'baseBranch', branch: target.branch };
    case 'commit':
      return { type: 'commit', sha: target.sha, title: target.title ?? null };
    case 'custom':
      return { type: 'custom', instructions: target.instructions };
  }
};
