import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { updateThreadMetadata } from '../../../replay/updateThreadMetadata.js';
import { ThreadMetadataUpdateParams } from '../../../protocol/management.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { runOnHome } from '../runOnHome.js';

interface MetadataOptions extends HomeOptions {
  readonly gitSha?: string;
  readonly gitBranch?: string;
  readonly gitOriginUrl?: string;
  readonly clearGitSha?: boolean;
  readonly clearGitBranch?: boolean;
  readonly clearGitOriginUrl?: boolean;
}

/** A patch field from its two options: null when cleared, the value, or absent when neither is given. */
const field = (value: string | undefined, clear: boolean | undefined): string | null | undefined => (clear === true ? null : value);

/** What `rollout-engine metadata` does (loaded by its action only). */
export const action = (threadId: string, opts: MetadataOptions) => {
  const gitInfo = Object.fromEntries(
    Object.entries({
      sha: field(opts.gitSha, opts.clearGitSha),
      branch: field(opts.gitBranch, opts.clearGitBranch),
      originUrl: field(opts.gitOriginUrl, opts.clearGitOriginUrl),
    }).filter(([, v]) => v !== undefined),
  );
  const optionOf = { threadId: '<threadId>', gitInfo: '--git-sha / --git-branch / --git-origin-url' };
  return withRequest(opts, decodeRequest(ThreadMetadataUpdateParams, { threadId, ...(Object.keys(gitInfo).length > 0 ? { gitInfo } : {}) }, optionOf), (p) =>
    runOnHome(
      opts,
      (home) =>
        pipe(
          TE.fromEither(checkedThreadId(p.threadId, 'thread')),
          TE.chain((id) => updateThreadMetadata(home.mutations, id, { gitInfo: p.gitInfo ?? undefined })),
        ),
      (t) => `git info of ${t.id}: ${JSON.stringify(t.gitInfo)}`,
    ),
  );
};
