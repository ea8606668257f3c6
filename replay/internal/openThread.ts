import * as E from 'fp-ts/lib/Either.js';
import { notFound } from '../../domain/errors.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import type { HistoryReadPorts } from '../ports.js';
import { loadLineage } from './lineage.js';
import { stop } from './useCase.js';

/**
 * Read-repair the thread, then load its lineage. An unknown thread is NotFound, as for every other
 * use case; the words Codex uses for it differ by method and are the RPC layer's (`toRpcError`).
 */
export const openThread = async (ports: HistoryReadPorts, threadId: string): Promise<ThreadLineage> => {
  const fresh = await ports.indexer.refreshThread(threadId)();
  if (E.isLeft(fresh) && fresh.left._tag !== 'NotFound') return stop(fresh.left);
  return (await loadLineage(ports.index, threadId)) ?? stop(notFound('thread', threadId));
};
