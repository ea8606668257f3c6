import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { uuidSyntaxError } from '../../domain/thread/threadId.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ThreadsForkedFrom } from '../../protocol/threads.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `rolloutEngine/threads/forkedFrom` asks (the protocol's params). */
export type ForkedFromQuery = ParamsOf<'rolloutEngine/threads/forkedFrom'>;

/**
 * `rolloutEngine/threads/forkedFrom`: of the threads given (a listed page's), the forks, each with
 * the thread it was forked from, as the index's thread rows hold it (the fork's `session_meta`
 * `forked_from_id`) — what `thread/list`'s rows leave out, as Codex's. One row read per id, no
 * refresh: the ids come from a list that has just refreshed. An id the index has no row for (or
 * that is no thread id) is left out, as a thread that is not a fork.
 */
export const readForkedFrom = (
  ports: HistoryReadPorts,
  q: ForkedFromQuery,
): TE.TaskEither<EngineError, ThreadsForkedFrom> =>
  useCase(async () => {
    const forkedFrom: Record<string, string> = {};
    for (const id of q.threadIds) {
      // Not a thread id (thread/list's are UUIDs): no row to read.
      if (uuidSyntaxError(id) !== undefined) continue;
      const row = await take(ports.index.get('threads', [id]));
      if (row?.forkedFromId != null) forkedFrom[id] = row.forkedFromId;
    }
    return { forkedFrom };
  });
