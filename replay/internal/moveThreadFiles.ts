import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { aboutThread, rejected } from '../../domain/errors.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import type { ThreadManagementPorts } from '../ports.js';
import { managedThread } from './threadFiles.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { writingFiles } from './writingFiles.js';

/** Times a move starts over when the thread's files changed before their locks were held (a revision cut, a file moved), as delete does. */
const FILES_CHANGED_RETRIES = 5;

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
): TE.TaskEither<EngineError, ReadonlyArray<{ readonly from: string; readonly to: string }>> =>
  useCase(async () => {
    for (let attempt = 0; ; attempt++) {
      const { files } = await managedThread(ports, threadId);
      const paths = files.map((f) => f.path).sort();
      if (how.pick(files).length === 0) return stop(aboutThread(rejected(how.nothing), threadId, 'noRollout'));
      const held = await ports.homeFiles.underWriterLocks(paths, movedHeld(ports, threadId, paths, how))();
      const retry =
        attempt < FILES_CHANGED_RETRIES &&
        (E.isLeft(held) ? held.left._tag === 'NotFound' : held.right === 'filesChanged');
      if (retry) continue;
      const done = await take(held);
      return done === 'filesChanged'
        ? stop(rejected(`thread ${threadId}: its files kept changing while they were moved; try again`))
        : done;
    }
  });

/** The move itself, the files' locks held: `filesChanged` when the thread's files are no longer `paths`. */
const movedHeld = (
  ports: ThreadManagementPorts,
  threadId: string,
  paths: ReadonlyArray<string>,
  how: ThreadFilesMove,
): TE.TaskEither<EngineError, ReadonlyArray<{ readonly from: string; readonly to: string }> | 'filesChanged'> =>
  useCase(async () => {
    const { files } = await managedThread(ports, threadId);
    if (JSON.stringify(files.map((f) => f.path).sort()) !== JSON.stringify(paths)) return 'filesChanged' as const;
    const from = how.pick(files);
    if (from.length === 0) return stop(aboutThread(rejected(how.nothing), threadId, 'noRollout'));
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
  });
