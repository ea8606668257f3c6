import type { MutationPorts } from '../../replay/mutationPorts.js';
import { jsonlRolloutFiles } from '../jsonl/rolloutFiles.js';
import type { CatchUpOptions } from '../indexer/catchUp.js';
import { lmdbHistoryIndexer } from '../indexer/indexer.js';
import type { LmdbIndexStore } from '../lmdb/indexStore.js';
import { systemClock } from '../system/clock.js';
import { uuidv7Ids } from '../system/uuidv7.js';
import { historyPortsOf } from './openHistory.js';

/** The mutation use cases' ports over the embedded default: rollout files and their LMDB index. */
export const mutationPortsOf = (store: LmdbIndexStore, codexHome: string, options: CatchUpOptions): MutationPorts => ({
  index: store,
  indexer: lmdbHistoryIndexer(store, codexHome, options),
  files: jsonlRolloutFiles(codexHome),
  clock: systemClock,
  ids: uuidv7Ids(),
  history: historyPortsOf(store, codexHome, options),
});

