import * as E from 'fp-ts/lib/Either.js';
import type { IndexStore } from '../ports.js';

/**
 * The store's write mark (it changes with every committed write, by any process, and when a
 * rebuild is swapped in), or null for a store without one: what is kept in memory from the index
 * is kept while it stays.
 */
export const indexWriteMark = (index: IndexStore): string | null => {
  const written = index.writeMark?.();
  return written === undefined || E.isLeft(written) ? null : written.right;
};
