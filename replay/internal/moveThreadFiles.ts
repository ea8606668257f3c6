import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { aboutThread, rejected } from '../../domain/errors.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import type { ThreadManagementPorts } from '../ports.js';
import { underThreadFileLocks } from './threadFiles.js';
import { stop, take } from '../../domain/effect.js';
import { writingFiles } from './writingFiles.js';

export interface ThreadFilesMove {
  /** The files to move (the others stay where they are). */
  readonly pick: (files: ReadonlyArray<FileCheckpoint>) => ReadonlyArray<string>;
  /** The refusal when there is nothing to move. */
  readonly nothing: string;
  readonly move: (paths: ReadonlyArray<string>) => TE.TaskEither<EngineError, string[]>;
}

/**
 * Archive's and unarchive's moves, holding the writer locks of every file of the thread, which
 * appends, revisions (rollback, revert), reviews and forks take in every process: one that ran
 * first is seen here (its revision moved with the rest, the files listed again under the locks),
 * one that runs after finds its file gone (Conflict), never a revision left behind in the other
 * folder. Codex takes its thread's writer lock for the same moves
 * (codex-rs/thread-store/src/local/unarchive_thread.rs `writer_lock_coordinator.acquire`).
 */
export const moveThreadFiles = (
  ports: ThreadManagementPorts,
  threadId: string,
  how: ThreadFilesMove,
): TE.TaskEither<EngineError, ReadonlyArray<{ readonly from: string; readonly to: string }>> => {
  const nothingToMove = (files: ReadonlyArray<FileCheckpoint>): ReadonlyArray<string> => {
    const from = how.pick(files);
    return from.length === 0 ? stop(aboutThread(rejected(how.nothing), threadId, 'noRollout')) : from;
  };
  return underThreadFileLocks(
    ports,
    threadId,
    'they were moved',
    async (files) => {
      const paths = files.map((f) => f.path);
      const from = nothingToMove(files);
      // A Codex that has the thread loaded keeps appending to the file it opened: moved under it, its lines land in the other folder.
      await take(ports.codexState.refuseIfHeld(threadId));
      return writingFiles(ports, from, async () => {
        const to = await take(how.move(from));
        // Indexed before the locks go: a writer that takes them next finds the thread where it now lives.
        // Every file of the thread, before and after: which file is each rollout's now is settled among them.
        return writingFiles(ports, to, async () => {
          await take(ports.indexer.catchUp([...new Set([...paths, ...to])], { everyFile: true }));
          return from.map((f, i) => ({ from: f, to: to[i]! }));
        });
      });
    },
    nothingToMove,
  );
};
