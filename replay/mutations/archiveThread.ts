import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../ports.js';
import { managedThread } from '../internal/threadFiles.js';
import { stop, take, useCase } from '../internal/useCase.js';
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
 * as rollback and revert refuse it.
 */
export const archiveThread = (ports: ThreadManagementPorts, { threadId }: ParamsOf<'thread/archive'>): TE.TaskEither<EngineError, ThreadMoved> =>
  useCase(async () => {
    const { files } = await managedThread(ports, threadId);
    const active = files.filter((f) => !f.archived).map((f) => f.path);
    if (active.length === 0) return stop(rejected(`no rollout found for thread id ${threadId}`));
    // A Codex that has the thread loaded keeps appending to the file it opened: moved under it, its lines land in the archive.
    await take(ports.codexState.refuseIfHeld(threadId));
    const to = await take(ports.homeFiles.archive(active));
    await take(ports.indexer.catchUp([...active, ...to]));
    return { threadId, moved: active.map((from, i) => ({ from, to: to[i]! })) };
  });
