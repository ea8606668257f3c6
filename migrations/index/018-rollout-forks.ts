import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';
import { keyText } from '../../domain/index/keyText.js';

/**
 * Schema 18 adds `rolloutForks` ([base rolloutId, rolloutId] → 0 for every fork and revision),
 * so a catch-up of a few files finds the threads read through them with a lookup per file
 * instead of reading every rollout row (which, once per `rollout/append`, held the server's event
 * loop in proportion to the home). Derived from the rollout rows.
 */
export const addRolloutForks = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const [rolloutId] of reader.keys('rollouts', [])) {
    const base = reader.get('rollouts', [rolloutId as string])?.base;
    if (base != null)
      writes.push({ op: 'put', table: 'rolloutForks', key: [keyText(base.rolloutId), rolloutId as string], value: 0 });
  }
  return writes;
};
