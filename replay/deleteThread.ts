import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { rejected } from '../domain/errors.js';
import { Batch } from '../projections/batch.js';
import { writeThreadRow } from '../projections/threadRows.js';
import type { ThreadManagementPorts } from './ports.js';
import { managedThread } from './internal/threadFiles.js';
import { stop, take, useCase } from './internal/useCase.js';

export interface ThreadDeleted {
  readonly threadId: string;
  readonly removed: ReadonlyArray<string>;
}

/** Codex's refusal while another thread's history is read through this one's files. */
export const forkedHistoryReferences = (threadId: string): string => `cannot delete thread ${threadId}: forked history still references it`;

/**
 * `thread/delete`, as Codex 0.169.0: refused while a fork (another thread) is based on one of the
 * thread's files; else every rollout file of the thread goes, its `session_index.jsonl` lines
 * go, and so does what the engine's thread-state log held for it (a `forgotten` event).
 */
export const deleteThread = (ports: ThreadManagementPorts, threadId: string): TE.TaskEither<EngineError, ThreadDeleted> =>
  useCase(async () => {
    const { files } = await managedThread(ports, threadId);
    const own = new Set(files.flatMap((f) => (f.rolloutId === null ? [] : [f.rolloutId])));
    for (const rolloutId of own)
      for (const { key } of await take(ports.index.range('rolloutForks', [rolloutId]))) {
        const fork = await take(ports.index.get('rollouts', [key[1]]));
        if (fork !== undefined && fork.threadId !== threadId) return stop(rejected(forkedHistoryReferences(threadId)));
      }
    // A running Codex that has the thread loaded would go on appending to files no longer there: its turns lost.
    await take(ports.codexState.refuseIfHeld(threadId));
    const paths = files.map((f) => f.path);
    await take(ports.homeFiles.remove(paths));
    await take(ports.homeFiles.forgetThreadNames(threadId));
    const at = ports.clock.now().toISOString();
    await take(ports.threadState.change(threadId, (current) => E.right(current === undefined ? null : { type: 'forgotten' as const, threadId, at })));
    // The files' checkpoints and rows go with the catch-up; the thread row, which no file is left to derive, goes here.
    await take(ports.indexer.catchUp(paths));
    await take(
      ports.index.commit((reader) => {
        const b = new Batch(reader);
        writeThreadRow(b, threadId, undefined);
        return b.writes();
      }),
    );
    return { threadId, removed: paths };
  });
