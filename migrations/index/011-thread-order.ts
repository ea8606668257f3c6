import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';
import { Batch } from '../../projections/batch.js';
import { sortMsOf, writeThreadRow } from '../../projections/threadRows.js';
import { fileNameTimestampOf } from '../../domain/rollout/rolloutFile.js';

/**
 * Schema 11: thread rows carry their list sort keys (`sortMs`, from their current file's rollout
 * row) and the `threadOrder` table holds each thread once per list order, so `thread/list` walks
 * a page instead of reading every thread and its rollout row. Derived from the rows in place.
 */
export const addThreadOrder = (reader: IndexReader): IndexWrite[] => {
  const b = new Batch(reader);
  for (const [id] of reader.keys('threads', [])) {
    const row = reader.get('threads', [id as string]);
    if (row === undefined) continue;
    // (A row whose rollout row is missing keeps its seconds, as the list read them.)
    writeThreadRow(b, id as string, {
      ...row,
      sortMs: sortMsOf(reader.get('rollouts', [row.rolloutId]), row, fileNameTimestampOf(row.path), row.fileMtimeMs),
    });
  }
  return b.writes();
};
