import type { HistoryIndexer } from '../../domain/ports.js';

/**
 * `work` writes `paths` and catches them up itself (`indexer.catchUp`) before it returns: the
 * indexer is told for as long as it runs (`HistoryIndexer.writing`), so a list meanwhile answers as
 * the index stands instead of catching up a write that is not answered yet, and every list behind it.
 */
export const writingFiles = async <A>(
  ports: { readonly indexer: Pick<HistoryIndexer, 'writing'> },
  paths: ReadonlyArray<string>,
  work: () => Promise<A>,
): Promise<A> => {
  const ended = ports.indexer.writing(paths);
  try {
    return await work();
  } finally {
    ended();
  }
};
