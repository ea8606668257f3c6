import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { Thread } from '../../domain/thread/thread.js';
import type { ThreadManagementPorts } from '../ports.js';
import type { ThreadMoved } from './archiveThread.js';
import { answerThread } from '../internal/mutationSteps.js';
import { managedThread } from '../internal/threadFiles.js';
import { stop, take, useCase } from '../internal/useCase.js';
import type { ParamsOf } from '../../protocol/methods.js';

export interface ThreadUnarchived extends ThreadMoved {
  /** The thread as `thread/read` answers it afterwards (no turns), `thread/unarchive`'s answer. */
  readonly thread: Thread;
}

/**
 * `thread/unarchive`: the thread's archived files move back to `sessions/YYYY/MM/DD/`, the day
 * their names carry, one rename each, as Codex does. A thread with nothing archived is refused
 * with Codex's words.
 */
export const unarchiveThread = (ports: ThreadManagementPorts, { threadId }: ParamsOf<'thread/unarchive'>): TE.TaskEither<EngineError, ThreadUnarchived> =>
  useCase(async () => {
    const { files } = await managedThread(ports, threadId);
    const archived = files.filter((f) => f.archived).map((f) => f.path);
    if (archived.length === 0) return stop(rejected(`no archived rollout found for thread id ${threadId}`));
    // As archive: files a running Codex holds open are not moved under it.
    await take(ports.codexState.refuseIfHeld(threadId));
    const to = await take(ports.homeFiles.unarchive(archived));
    await take(ports.indexer.catchUp([...archived, ...to]));
    return { threadId, moved: archived.map((from, i) => ({ from, to: to[i]! })), thread: await answerThread(ports, threadId, false) };
  });
