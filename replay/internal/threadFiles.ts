import type { FileCheckpoint, ThreadRow } from '../../domain/index/rows.js';
import { notFound } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../ports.js';
import { stop, take } from '../../domain/effect.js';

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
