import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import { Batch } from '../../projections/batch.js';
import { writeThreadRow } from '../../projections/threadRows.js';
import type { ThreadManagementPorts } from '../ports.js';
import { underThreadFileLocks } from '../internal/threadFiles.js';
import { stop, take } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';
import { keyText } from '../../domain/index/keyText.js';
import { writingFiles } from '../internal/writingFiles.js';

export interface ThreadDeleted {
  readonly threadId: string;
  readonly removed: ReadonlyArray<string>;
}

/** Codex's refusal while another thread's history is read through this one's files. */
export const forkedHistoryReferences = (threadId: string): string =>
  `cannot delete thread ${threadId}: forked history still references it`;

/**
 * `thread/delete`, as Codex 0.169.0: refused while a fork (another thread) is based on one of the
 * thread's files; else every rollout file of the thread goes, its `session_index.jsonl` lines
 * go, and so does what the engine's thread-state log held for it (a `forgotten` event).
 *
 * All of it happens holding the writer locks of the thread's files, which appends, revisions
 * (rollback, revert) and forks of the thread take in every process: one of those that ran first
 * is seen here (its revision deleted with the rest, its fork refusing the delete), one that runs
 * after finds no file (Conflict or NotFound). Never both acknowledged against the same state.
 */
export const deleteThread = (
  ports: ThreadManagementPorts,
  { threadId }: ParamsOf<'thread/delete'>,
): TE.TaskEither<EngineError, ThreadDeleted> =>
  underThreadFileLocks(ports, threadId, 'it was deleted', async (files) => {
    const paths = files.map((f) => f.path).sort();
    // A running Codex that has the thread loaded appends to its file: deleting it would lose what it writes next.
    await take(ports.codexState.refuseIfHeld(threadId));
    const own = new Set(files.flatMap((f) => (f.rolloutId === null ? [] : [f.rolloutId])));
    for (const rolloutId of own)
      for (const { key } of await take(ports.index.range('rolloutForks', [keyText(rolloutId)]))) {
        const fork = await take(ports.index.get('rollouts', [key[1]]));
        if (fork !== undefined && fork.threadId !== threadId) return stop(rejected(forkedHistoryReferences(threadId)));
      }
    await writingFiles(ports, paths, async () => {
      await take(ports.homeFiles.remove(paths));
      await take(ports.homeFiles.forgetThreadNames(threadId));
      const at = ports.clock.now().toISOString();
      await take(
        ports.threadState.change(threadId, (current) =>
          E.right(current === undefined ? null : { type: 'forgotten' as const, threadId, at }),
        ),
      );
      // The files' checkpoints and rows go with the catch-up; the thread row, which no file is left to derive, goes here.
      // Every file of the thread went: its rollouts' rows go with them, not a catch-up of the whole home.
      await take(ports.indexer.catchUp(paths, { everyFile: true }));
    });
    await take(
      ports.index.commit((reader) => {
        const b = new Batch(reader);
        writeThreadRow(b, threadId, undefined);
        return b.writes();
      }),
    );
    return { threadId, removed: paths };
  });
