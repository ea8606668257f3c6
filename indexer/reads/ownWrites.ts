import type { IndexStore } from '../../domain/ports.js';

/**
 * Per store (one home's index in this process): the files a mutation of this process is writing
 * and then catches up itself before it answers (`HistoryIndexer.writing`), with how many such
 * writes run on each. A read meanwhile answers as the index stands, as it would have a moment
 * before the write: neither a list (historyIndexer.ts) nor a thread's read-repair (freshness.ts)
 * catches up a write that is not answered yet.
 */
const writes = new WeakMap<IndexStore, Map<string, number>>();

/** `paths` are being written; the function returned ends it (once, however often it is called). */
export const beginOwnWrite = (store: IndexStore, paths: ReadonlyArray<string>): (() => void) => {
  let running = writes.get(store);
  if (running === undefined) writes.set(store, (running = new Map()));
  const of = running;
  for (const path of paths) of.set(path, (of.get(path) ?? 0) + 1);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    for (const path of paths) {
      const n = (of.get(path) ?? 1) - 1;
      if (n === 0) of.delete(path);
      else of.set(path, n);
    }
  };
};

/** Whether a mutation of this process is writing `path`. */
export const isOwnWrite = (store: IndexStore, path: string): boolean => writes.get(store)?.has(path) === true;

/** Whether a mutation of this process is writing any file of the store's home. */
export const ownWritesRun = (store: IndexStore): boolean => (writes.get(store)?.size ?? 0) > 0;
