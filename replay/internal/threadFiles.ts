import type { FileCheckpoint, ThreadRow } from '../../domain/index/rows.js';
import { notFound } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../ports.js';
import { stop, take } from '../../domain/effect.js';
import { scanRowBatches } from './scanRows.js';

/** A thread brought up to date with its files, as thread management finds it: its row and every rollout file of its own (root and revisions, archived or not). */
export interface ManagedThread {
  readonly row: ThreadRow;
  readonly files: ReadonlyArray<FileCheckpoint>;
}

/**
 * The thread after a read-repair, with its files from the index's checkpoints (a scan of the
 * `files` table: archive, unarchive and delete move every file of the thread, as Codex does, also
 * revisions no longer on its current history). Unknown thread: NotFound.
 */
export const managedThread = async (ports: HistoryReadPorts, threadId: string): Promise<ManagedThread> => {
  await take(ports.indexer.refreshThread(threadId));
  const row = (await take(ports.index.get('threads', [threadId]))) ?? stop(notFound('thread', threadId));
  const files: FileCheckpoint[] = [];
  for await (const batch of scanRowBatches(ports.index, 'files', [], { reverse: false, releasePages: true }, 256)) {
    for (const { value: f } of batch) if (f.threadId === threadId && f.duplicateOf === null) files.push(f);
  }
  return { row, files };
};
