import type { IndexStore } from '../../domain/ports.js';

/**
 * `thread/list` answers of a store, kept while its write mark stays: a backend polls the same
 * page (the first 25 threads) many times a second, and between two index writes the answer is
 * the same rows decoded and cut again. Any committed write, by any process, changes the mark and
 * drops them all. At most `MAX_KEPT` queries per mark (the first ones asked).
 */
const kept = new WeakMap<IndexStore, { readonly mark: string; readonly answers: Map<string, unknown> }>();
const MAX_KEPT = 64;

/** The answer kept for `query` while the store's mark is `mark`. */
export const keptAnswer = <A>(index: IndexStore, mark: string, query: string): A | undefined => {
  const k = kept.get(index);
  return k !== undefined && k.mark === mark ? (k.answers.get(query) as A | undefined) : undefined;
};

/** Keep `answer` for `query`, read at `mark` (the mark was read before the rows: a write meanwhile leaves an older mark, never served again). */
export const keepAnswer = (index: IndexStore, mark: string, query: string, answer: unknown): void => {
  let k = kept.get(index);
  if (k === undefined || k.mark !== mark) {
    k = { mark, answers: new Map() };
    kept.set(index, k);
  }
  if (k.answers.size < MAX_KEPT) k.answers.set(query, answer);
};
