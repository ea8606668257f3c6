import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { aboutThread, rejected } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../ports.js';
import { managedThread } from '../internal/threadFiles.js';
import { codexStateAfterWrite } from '../internal/codexStateAfterWrite.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** Codex's refusal of a blank name, word for word. */
export const EMPTY_THREAD_NAME = 'thread name must not be empty';

export interface ThreadNamed {
  readonly threadId: string;
  /** The name as stored: trimmed, as Codex stores it. */
  readonly name: string;
  /** The `session_index.jsonl` line's time. */
  readonly at: Date;
}

/**
 * `thread/name/set`: as Codex 0.169.0, one line appended to `session_index.jsonl` (the name
 * trimmed; blank refused), the name set in Codex's state DB row, and nothing to the rollout. The thread's row takes the name at once.
 * An archived thread is refused with Codex's words.
 */
export const setThreadName = (
  ports: ThreadManagementPorts,
  { threadId, name }: ParamsOf<'thread/name/set'>,
): TE.TaskEither<EngineError, ThreadNamed> =>
  useCase(async () => {
    const trimmed = name.trim();
    if (trimmed === '') return stop(rejected(EMPTY_THREAD_NAME));
    const { row, files } = await managedThread(ports, threadId);
    // Codex names only a thread it finds under sessions/: an archived one is refused, nothing written
    // (codex-rs app-server thread_processor.rs `thread_set_name_response_inner`: `update_thread_metadata`
    // with `include_archived: false`; measured cold on 0.169.0 and 0.171.0, archivedRename.compat.spec.ts).
    // The CLI says, under Codex's words, that the thread is archived and how to bring it back.
    if (files.every((f) => f.archived))
      return stop(aboutThread(rejected(`no rollout found for thread id ${threadId}`), threadId, 'noRollout'));
    const at = ports.clock.now();
    // Under the thread's writer lock, which a delete holds: a rename runs before it (its line then
    // goes with the others) or finds no file (NotFound), never leaving a deleted thread named.
    await take(ports.homeFiles.underWriterLocks([row.path], ports.homeFiles.appendThreadName(threadId, trimmed, at)));
    // And in Codex's cache, which a Codex that has it answers names from (the name is written: a failure here is a warning).
    await codexStateAfterWrite(
      ports,
      { threadId, method: 'thread/name/set', update: "the thread's name" },
      ports.codexState.recordName(threadId, row.historyMode, trimmed),
    );
    // The catch-up of the thread's current file derives its row again, with the names just written.
    await take(ports.indexer.catchUp([row.path]));
    return { threadId, name: trimmed, at };
  });
