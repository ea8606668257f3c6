import type { IndexReader, IndexWrite } from '../../domain/index/rows.js';

/**
 * Schema 2 adds `ordinals` ([rolloutId, ordinal] → line), so a Codex cursor (which names a
 * paginated ordinal) finds its turn or item with one lookup. Derived from the existing rows.
 */
export const addOrdinals = (reader: IndexReader): IndexWrite[] => {
  const writes: IndexWrite[] = [];
  for (const [rolloutId, line] of reader.keys('turns', [])) {
    const t = reader.get('turns', [rolloutId as string, line as number]);
    const ordinal = (t?.anchor ?? t?.firstItem)?.ordinal;
    if (ordinal != null)
      writes.push({ op: 'put', table: 'ordinals', key: [rolloutId as string, ordinal], value: line });
  }
  for (const [rolloutId, line] of reader.keys('items', [])) {
    const ordinal = reader.get('items', [rolloutId as string, line as number])?.ordinal;
    if (ordinal != null)
      writes.push({ op: 'put', table: 'ordinals', key: [rolloutId as string, ordinal], value: line });
  }
  return writes;
};
