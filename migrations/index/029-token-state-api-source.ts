import type { IndexReader, IndexWrite, TokenStateRow } from '../../domain/index/rows.js';
import { apiSourceOfMeta } from '../../domain/thread/threadMeta.js';

/**
 * Schema 29: a file's token state keeps its thread's API source (`apiSourceOfMeta`, the thread
 * row's rule) instead of its session_meta's raw `source`, so the token report's client follows the
 * one rule. Derived from the file's rollout row's meta; a file whose rows the token projection
 * caught up alone (no rollout row yet) gets the source the report derived from the raw one before.
 */
export const tokenStateApiSources = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const key of reader.keys('tokenState', [])) {
    const [rolloutId] = key as readonly [string];
    const row: TokenStateRow | undefined = reader.get('tokenState', [rolloutId]);
    if (row === undefined) continue;
    const meta = reader.get('rollouts', [rolloutId])?.meta ?? (row.source === null ? {} : { source: row.source });
    writes.push({ op: 'put', table: 'tokenState', key: [rolloutId], value: { ...row, source: apiSourceOfMeta(meta) } });
  }
  return writes;
};
