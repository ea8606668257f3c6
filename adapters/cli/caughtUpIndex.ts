import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { openIndex } from '../indexer/openIndex.js';
import type { LmdbIndexStore } from '../lmdb/indexStore.js';
import { catchUpHome } from '../indexer/catchUp.js';
import type { CatchUpSummary } from '../indexer/catchUp.js';
import { fileQuarantineSink } from '../jsonl/quarantine.js';
import { lmdbDirOf } from './indexDir.js';
import { progressBar } from './progress.js';

export interface CaughtUpIndex {
  readonly store: LmdbIndexStore;
  /** `warm`: the index existed before this run; `cold`: it was built by it. */
  readonly state: 'warm' | 'cold';
  readonly catchUp: CatchUpSummary;
}

/**
 * Open the index of a CODEX_HOME (creating or migrating it) and catch it up with the files, so a
 * report read from it describes the home as it is now. Only new bytes are read when it is warm.
 */
export const openCaughtUpIndex = async (codexHome: string, indexDir: string, progress: boolean): Promise<E.Either<EngineError, CaughtUpIndex>> => {
  const opened = await openIndex(lmdbDirOf(indexDir), codexHome)();
  if (E.isLeft(opened)) return opened;
  const store = opened.right.store;
  const state = opened.right.migrated === 'current' ? 'warm' : 'cold';
  const bar = progressBar(progress);
  const caught = await catchUpHome(store, codexHome, { quarantine: fileQuarantineSink(indexDir), onProgress: bar.update })();
  bar.stop();
  if (E.isLeft(caught)) {
    await store.close()();
    return caught;
  }
  return E.right({ store, state, catchUp: caught.right });
};
