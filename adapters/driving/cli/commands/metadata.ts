import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

/** A patch field from its two options: null when cleared, the value, or absent when neither is given. */
const field = (value: string | undefined, clear: boolean | undefined): string | null | undefined =>
  clear === true ? null : value;

export const metadataCommand = command({
  name: 'metadata',
  description:
    "patch a thread's stored git metadata (`thread/metadata/update`): kept in the engine's thread-state log, as Codex keeps it in its cache",
  arguments: [argument('<threadId>', 'the thread', { param: 'threadId' })],
  options: {
    gitSha: option('--git-sha <sha>', 'the commit'),
    gitBranch: option('--git-branch <branch>', 'the branch'),
    gitOriginUrl: option('--git-origin-url <url>', 'the origin URL'),
    clearGitSha: option('--clear-git-sha', 'clear the commit'),
    clearGitBranch: option('--clear-git-branch', 'clear the branch'),
    clearGitOriginUrl: option('--clear-git-origin-url', 'clear the origin URL'),
    ...METHOD_VIEW_OPTIONS,
  },
  // The six options are one param: the git info patch.
  params: async ({ opts, request }) => {
    const gitInfo = Object.fromEntries(
      Object.entries({
        sha: field(opts.gitSha, opts.clearGitSha),
        branch: field(opts.gitBranch, opts.clearGitBranch),
        originUrl: field(opts.gitOriginUrl, opts.clearGitOriginUrl),
      }).filter(([, v]) => v !== undefined),
    );
    return {
      method: (await import('../../../../protocol/management.js')).threadMetadataUpdateMethod,
      request: { ...request, ...(Object.keys(gitInfo).length > 0 ? { gitInfo } : {}) },
      optionOf: { gitInfo: '--git-sha / --git-branch / --git-origin-url' },
    };
  },
  onHome: {
    use: async ({ params: p }) => {
      const { updateThreadMetadata } = await import('../../../../replay/mutations/updateThreadMetadata.js');
      return (home) => updateThreadMetadata(home.mutations, p);
    },
    render: () => (t) => `git info of ${t.id}: ${JSON.stringify(t.gitInfo)}`,
  },
});
