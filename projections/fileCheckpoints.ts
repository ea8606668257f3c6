import type { FileCheckpoint } from '../domain/index/rows.js';
import type { Batch } from './batch.js';

/**
 * A file's checkpoint written (`undefined`: removed) in `table`, and for the rollouts' own table
 * (`files`) the thread it names linked to it in `threadFiles` (`[threadId, path]`), the link of the
 * thread it named before removed: what a thread's management reads to find every file of its
 * thread. The token projection's own checkpoints (`tokenFiles`) are not linked. Pure.
 */
export const writeCheckpoint = (
  b: Batch,
  table: 'files' | 'tokenFiles',
  path: string,
  cp: FileCheckpoint | undefined,
): void => {
  if (table === 'files') {
    const before = b.get('files', [path])?.threadId ?? null;
    const after = cp?.threadId ?? null;
    if (before !== null && before !== after) b.del('threadFiles', [before, path]);
    if (after !== null && after !== before) b.put('threadFiles', [after, path], 0);
  }
  if (cp === undefined) b.del(table, [path]);
  else b.put(table, [path], cp);
};
