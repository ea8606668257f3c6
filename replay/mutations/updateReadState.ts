import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { ReadState } from '../../domain/threadState/threadStateEvent.js';
import type { ThreadManagementPorts } from '../ports.js';
import { readStateOf } from '../internal/readState.js';
import { managedThread } from '../internal/threadFiles.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** Codex's words and `data.reason` when the revision the client saw is no longer the thread's. */
export const READ_STATE_CHANGED = 'read state changed';
export const READ_STATE_CONFLICT = 'readStateConflict';

/**
 * `thread/readState/update`: mark the thread read (`firstUnread: null`) or unread (from its
 * start), if `expectedRevision` is still its revision; every change gets a new revision. A stale
 * revision is refused as Codex refuses it: -32600 `read state changed` with `data: {reason:
 * "readStateConflict", readState: <current>}`. The check and the append are one step under the
 * thread-state log's lock, so two processes cannot both pass it.
 */
export const updateReadState = (
  ports: ThreadManagementPorts,
  { threadId, operation, expectedRevision }: ParamsOf<'thread/readState/update'>,
): TE.TaskEither<EngineError, ReadState> =>
  useCase(async () => {
    const { row } = await managedThread(ports, threadId);
    const at = ports.clock.now().toISOString();
    const after = await take(
      ports.threadState.change(threadId, (current) => {
        const now = current?.readState ?? readStateOf({ ...row, readState: undefined });
        if (now.revision !== expectedRevision)
          return E.left(rejected(READ_STATE_CHANGED, { reason: READ_STATE_CONFLICT, readState: now }));
        const readState: ReadState = {
          firstUnread: operation.type === 'read' ? null : { type: 'threadStart' },
          revision: ports.ids.uuidv7(),
        };
        return E.right({ type: 'readState' as const, threadId, at, readState });
      }),
    );
    return after!.readState!;
  });
