import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { GitInfo, Thread } from '../../domain/thread/thread.js';
import { sanitizeGitOriginUrl } from '../../domain/thread/gitOriginUrl.js';
import type { ThreadManagementPorts } from '../ports.js';
import { answerThread } from '../internal/mutationSteps.js';
import { managedThread } from '../internal/threadFiles.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** A patch of the stored git metadata: a field absent is left, null clears it, a string replaces it. */
export interface GitInfoPatch {
  readonly sha?: string | null;
  readonly branch?: string | null;
  readonly originUrl?: string | null;
}

/** Codex's words for an update that changes nothing. */
export const EMPTY_METADATA_UPDATE = 'thread metadata update must include at least one field';
/** Codex refuses to assign a project it does not know; this engine knows none. */
export const unknownProject = (projectId: string): string => `project not found: ${projectId}`;

/** Codex's words for an origin that is no git remote (a helper's command line, say). */
export const INVALID_ORIGIN_URL = 'gitInfo.originUrl must be a valid Git remote';

const FIELDS = ['sha', 'branch', 'originUrl'] as const;

/** The stored git info after a patch (Codex's checks: a given string must not be blank). Pure. */
export const patchedGitInfo = (current: GitInfo | null, patch: GitInfoPatch): E.Either<EngineError, GitInfo | null> => {
  const next: GitInfo = {
    sha: current?.sha ?? null,
    branch: current?.branch ?? null,
    originUrl: current?.originUrl ?? null,
  };
  for (const f of FIELDS) {
    const v = patch[f];
    if (v === undefined) continue;
    if (v !== null && v.trim() === '') return E.left(rejected(`gitInfo.${f} must not be empty`));
    if (f === 'originUrl' && v !== null) {
      // Codex stores a remote without its credentials, and refuses what is no remote (codex-rs protocol `SanitizedGitUrl`).
      const origin = sanitizeGitOriginUrl(v);
      if (origin === undefined) return E.left(rejected(INVALID_ORIGIN_URL));
      next[f] = origin;
      continue;
    }
    next[f] = v;
  }
  return E.right(next.sha === null && next.branch === null && next.originUrl === null ? null : next);
};

/**
 * `thread/metadata/update`: Codex stores the patched git metadata in its SQLite cache only; here
 * it is an event of the engine's thread-state log, folded into the thread's row, so every later
 * answer (`thread/read`, `thread/list`) carries it. Answers the thread as `thread/read` does.
 * A `gitInfo` or `projectId` that is null is no update of it, as one left out; `projectId` is
 * Codex's project assignment, of which only `""` (no project) can be given, since the engine keeps
 * no projects. `daybreakEnabled` is not kept.
 */
export const updateThreadMetadata = (
  ports: ThreadManagementPorts,
  p: ParamsOf<'thread/metadata/update'>,
): TE.TaskEither<EngineError, Thread> =>
  useCase(async () => {
    const { threadId } = p;
    const gitInfo = p.gitInfo ?? undefined;
    const projectId = p.projectId ?? undefined;
    const patch = gitInfo !== undefined && FIELDS.some((f) => gitInfo[f] !== undefined) ? gitInfo : undefined;
    if (patch === undefined && projectId === undefined) return stop(rejected(EMPTY_METADATA_UPDATE));
    if (projectId !== undefined && projectId !== '') return stop(rejected(unknownProject(projectId)));
    const { row } = await managedThread(ports, threadId);
    if (patch !== undefined) {
      const at = ports.clock.now().toISOString();
      await take(
        ports.threadState.change(threadId, () =>
          E.map((gitInfo: GitInfo | null) => ({ type: 'gitInfo' as const, threadId, at, gitInfo }))(
            patchedGitInfo(row.gitInfo, patch),
          ),
        ),
      );
    }
    return answerThread(ports, threadId, false);
  });
