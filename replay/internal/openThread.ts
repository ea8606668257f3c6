import * as E from 'fp-ts/lib/Either.js';
import { rejected } from '../../domain/errors.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import type { HistoryReadPorts } from '../ports.js';
import { loadLineage } from './lineage.js';
import { stop } from './useCase.js';

/**
 * Read-repair the thread, then load its lineage. An unknown thread is refused with Codex's words
 * for a thread it cannot page.
 */
export const openThread = async (ports: HistoryReadPorts, threadId: string): Promise<ThreadLineage> => {
  const fresh = await ports.indexer.refreshThread(threadId)();
  if (E.isLeft(fresh) && fresh.left._tag !== 'NotFound') return stop(fresh.left);
  return (await loadLineage(ports.index, threadId)) ?? stop(rejected(`thread not loaded: ${threadId}`));
};
