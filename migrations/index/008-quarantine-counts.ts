import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';

/**
 * Schema 8 adds `quarantineCounts` ([rolloutId] → its quarantined lines, only for rollouts that
 * have any), so a home's total is a scan of a small table instead of every rollout row (which
 * cost a large home's `index` time and resident pages). Derived from the rollout rows.
 */
export const addQuarantineCounts = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const [rolloutId] of reader.keys('rollouts', [])) {
    const invalid = reader.get('rollouts', [rolloutId as string])?.invalidLines ?? 0;
    if (invalid > 0) writes.push({ op: 'put', table: 'quarantineCounts', key: [rolloutId as string], value: invalid });
  }
  return writes;
};
