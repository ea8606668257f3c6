import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadManagementPorts } from '../ports.js';
import type { ThreadMoved } from './archiveThread.js';
import { answerThread } from '../internal/mutationSteps.js';
import { moveThreadFiles } from '../internal/moveThreadFiles.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

export interface ThreadUnarchived extends ThreadMoved {
  /** The thread as `thread/read` answers it afterwards (no turns), `thread/unarchive`'s answer. */
  readonly thread: Thread;
}

/**
 * `thread/unarchive`: the thread's archived files move back to `sessions/YYYY/MM/DD/`, the day
 * their names carry, one rename each, as Codex does. A thread with nothing archived is refused
 * with Codex's words. The files move under their writer locks (`moveThreadFiles`).
 */
export const unarchiveThread = (
  ports: ThreadManagementPorts,
  { threadId }: ParamsOf<'thread/unarchive'>,
): TE.TaskEither<EngineError, ThreadUnarchived> =>
  useCase(async () => {
    const moved = await take(
      moveThreadFiles(ports, threadId, {
        pick: (files) => files.filter((f) => f.archived).map((f) => f.path),
        nothing: `no archived rollout found for thread id ${threadId}`,
        move: (paths) => ports.homeFiles.unarchive(paths),
      }),
    );
    return { threadId, moved, thread: await answerThread(ports, threadId, false) };
  });
