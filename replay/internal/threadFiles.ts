import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { FileCheckpoint, ThreadRow } from '../../domain/index/rows.js';
import { notFound, rejected } from '../../domain/errors.js';
import type { HistoryReadPorts, ThreadManagementPorts } from '../ports.js';
import { stop, take, useCase } from '../../domain/effect.js';

/** A thread brought up to date with its files, as thread management finds it: its row and every rollout file of its own (root and revisions, archived or not). */
export interface ManagedThread {
  readonly row: ThreadRow;
  readonly files: ReadonlyArray<FileCheckpoint>;
}

/**
 * The thread after a read-repair, with its files from the index's checkpoints (its links in
 * `threadFiles`: archive, unarchive and delete move every file of the thread, as Codex does, also
 * revisions no longer on its current history). Unknown thread: NotFound.
 */
export const managedThread = async (ports: HistoryReadPorts, threadId: string): Promise<ManagedThread> => {
  await take(ports.indexer.refreshThread(threadId));
  const row = (await take(ports.index.get('threads', [threadId]))) ?? stop(notFound('thread', threadId));
  const files: FileCheckpoint[] = [];
  for (const { key } of await take(ports.index.range('threadFiles', [threadId]))) {
    const f = await take(ports.index.get('files', [key[1]]));
    if (f !== undefined && f.threadId === threadId && f.duplicateOf === null) files.push(f);
  }
  return { row, files };
};

/** Times the thread's files are listed again when they changed before their locks were held (a revision cut, a file moved). */
const FILES_CHANGED_RETRIES = 5;

/** Told by the work under the locks: the thread's files are no longer those whose locks are held. */
const FILES_CHANGED: unique symbol = Symbol('filesChanged');

/**
 * `work` on every file of the thread (managedThread) holding their writer locks
 * (ThreadHomeFiles.underWriterLocks), which appends, revisions (rollback, revert), reviews and
 * forks take in every process: the files are listed again once the locks are held, and the whole
 * starts over while they are no longer the files whose locks were taken (or one is gone: a
 * delete got there first), at most FILES_CHANGED_RETRIES times, then is refused "its files kept
 * changing while `changing`". `first` sees the files as first listed (a refusal that needs no lock).
 */
export const underThreadFileLocks = <A>(
  ports: ThreadManagementPorts,
  threadId: string,
  changing: string,
  work: (files: ReadonlyArray<FileCheckpoint>) => Promise<A>,
  first: (files: ReadonlyArray<FileCheckpoint>) => void = () => undefined,
): TE.TaskEither<EngineError, A> =>
  useCase(async () => {
    for (let attempt = 0; ; attempt++) {
      const { files } = await managedThread(ports, threadId);
      first(files);
      const paths = files.map((f) => f.path).sort();
      const held = await ports.homeFiles.underWriterLocks(
        paths,
        useCase(async (): Promise<A | typeof FILES_CHANGED> => {
          const now = (await managedThread(ports, threadId)).files;
          if (JSON.stringify(now.map((f) => f.path).sort()) !== JSON.stringify(paths)) return FILES_CHANGED;
          return work(now);
        }),
      )();
      const again = E.isLeft(held) ? held.left._tag === 'NotFound' : held.right === FILES_CHANGED;
      if (again && attempt < FILES_CHANGED_RETRIES) continue;
      const done = await take(held);
      return done === FILES_CHANGED
        ? stop(rejected(`thread ${threadId}: its files kept changing while ${changing}; try again`))
        : done;
    }
  });
