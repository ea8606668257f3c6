import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../../replay/history/ports.js';
import type { MutationPorts } from '../../replay/mutationPorts.js';
import { mutationPortsOf } from './mutationPorts.js';
import { readRanges } from '../jsonl/readRange.js';
import { fileQuarantineSink } from '../jsonl/quarantine.js';
import { openIndex } from '../indexer/openIndex.js';
import type { LmdbIndexStore } from '../lmdb/indexStore.js';
import { catchUpHome } from '../indexer/catchUp.js';
import { ensureThreadFresh } from '../indexer/freshness.js';
import type { CatchUpOptions } from '../indexer/catchUp.js';
import { passLmdbBackfillGate } from '../indexer/openIndex.js';
import { lmdbDirOf } from '../cli/indexDir.js';

export interface OpenHistory {
  readonly ports: HistoryReadPorts;
  /** Fork, revert, rollback, review and token replay over the same index and files. */
  readonly mutations: MutationPorts;
  readonly store: LmdbIndexStore;
  readonly close: () => Promise<void>;
}

/** History read ports over the embedded default: rollout files and their LMDB index. */
export const historyPortsOf = (store: LmdbIndexStore, codexHome: string, options: CatchUpOptions): HistoryReadPorts => ({
  index: store,
  readRanges,
  refreshThread: (threadId) => TE.map(() => undefined)(ensureThreadFresh(store, codexHome, threadId, options)),
  refreshAll: () => TE.map(() => undefined)(catchUpHome(store, codexHome, options)),
});

/**
 * Open (migrating if needed) the index of a CODEX_HOME and pass the backfill gate: one process
 * backfills while others wait a bounded time. A process that gave up waiting still answers:
 * its reads catch each thread up from the files on demand.
 */
export const openHistory = async (codexHome: string, indexDir: string, gateWaitMs?: number): Promise<E.Either<EngineError, OpenHistory>> => {
  const options: CatchUpOptions = { quarantine: fileQuarantineSink(indexDir) };
  const opened = await openIndex(lmdbDirOf(indexDir), codexHome, options)();
  if (E.isLeft(opened)) return opened;
  const store = opened.right.store;
  const gate = await passLmdbBackfillGate(store, codexHome, gateWaitMs === undefined ? {} : { waitMs: gateWaitMs }, options)();
  if (E.isLeft(gate)) {
    await store.close()();
    return gate;
  }
  return E.right({
    ports: historyPortsOf(store, codexHome, options),
    mutations: mutationPortsOf(store, codexHome, options),
    store,
    close: async () => void (await store.close()()),
  });
};
