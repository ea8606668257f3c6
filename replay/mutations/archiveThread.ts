import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../ports.js';
import { moveThreadFiles } from '../internal/moveThreadFiles.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

export interface ThreadMoved {
  readonly threadId: string;
  /** Where each of the thread's files went, in order. */
  readonly moved: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/**
 * `thread/archive`: every rollout file of the thread (root and revisions) moves to
 * `archived_sessions/` under its own name, one rename each, as Codex does; the index follows
 * (`thread/list` shows it with `archived: true`, `thread/read` at its new path). A thread
 * already archived is refused with Codex's words, one a running Codex has loaded (its writer lock)
 * as rollback and revert refuse it. The files move under their writer locks (`moveThreadFiles`).
 */
export const archiveThread = (
  ports: ThreadManagementPorts,
  { threadId }: ParamsOf<'thread/archive'>,
): TE.TaskEither<EngineError, ThreadMoved> =>
  useCase(async () => {
    const moved = await take(
      moveThreadFiles(ports, threadId, {
        pick: (files) => files.filter((f) => !f.archived).map((f) => f.path),
        nothing: `no rollout found for thread id ${threadId}`,
        move: (paths) => ports.homeFiles.archive(paths),
      }),
    );
    return { threadId, moved };
  });
