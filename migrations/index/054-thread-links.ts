import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';
import { threadParentOf } from '../../projections/threadRows.js';

/**
 * Schema 54: each thread's files (`threadFiles`, `[threadId, path]`, from the checkpoints) and each
 * thread below another (`threadChildren`, `[parent, threadId]`, from the thread rows), so a thread's
 * management and its family read their own links instead of every checkpoint or thread row of the
 * home. Derived from the rows in place, as the writers keep them since (projections/fileCheckpoints.ts,
 * projections/threadRows.ts `writeThreadRow`).
 */
export const addThreadLinks = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const [path] of reader.keys('files', [])) {
    const threadId = reader.get('files', [path as string])?.threadId ?? null;
    if (threadId !== null) writes.push({ op: 'put', table: 'threadFiles', key: [threadId, path as string], value: 0 });
  }
  for (const [id] of reader.keys('threads', [])) {
    const row = reader.get('threads', [id as string]);
    const parent = row === undefined ? null : threadParentOf(row);
    if (parent !== null) writes.push({ op: 'put', table: 'threadChildren', key: [parent, id as string], value: 0 });
  }
  return writes;
};
