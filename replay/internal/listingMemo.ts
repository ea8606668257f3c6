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

/**
 * Answers being worked out, per store, mark and query: a request that comes meanwhile waits for
 * that answer rather than walking the same rows again (after each write, every client polling the
 * list walked them at once, the event loop held for seconds). Dropped with the mark, as `kept`.
 */
const running = new WeakMap<IndexStore, { readonly mark: string; readonly answers: Map<string, Promise<unknown>> }>();

/** The answer to `query` another request is working out at `mark`: undefined when it gives none to share. */
export const runningAnswer = <A>(
  index: IndexStore,
  mark: string,
  query: string,
): Promise<A | undefined> | undefined => {
  const r = running.get(index);
  return r !== undefined && r.mark === mark ? (r.answers.get(query) as Promise<A | undefined> | undefined) : undefined;
};

/**
 * `query` taken to be answered at `mark`: the requests that ask it meanwhile wait (`runningAnswer`)
 * until the function returned is called with the answer to share, or undefined (an error, an answer
 * that is its request's own): those then work out their own.
 */
export const answering = <A>(index: IndexStore, mark: string, query: string): ((answer: A | undefined) => void) => {
  let r = running.get(index);
  if (r === undefined || r.mark !== mark) {
    r = { mark, answers: new Map() };
    running.set(index, r);
  }
  const answers = r.answers;
  let settle: (answer: A | undefined) => void = () => undefined;
  const answer = new Promise<A | undefined>((resolve) => (settle = resolve));
  answers.set(query, answer);
  return (a) => {
    if (answers.get(query) === answer) answers.delete(query);
    settle(a);
  };
};
