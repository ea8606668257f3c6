import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ThreadLineage } from './lineage.js';
import { loadLineage } from './lineage.js';

/**
 * Read-repair the thread, then load its lineage. An unknown thread is refused with Codex's words
 * for a thread it cannot page.
 */
export const openThread = async (ports: HistoryReadPorts, threadId: string): Promise<E.Either<EngineError, ThreadLineage>> => {
  const fresh = await ports.indexer.refreshThread(threadId)();
  if (E.isLeft(fresh) && fresh.left._tag !== 'NotFound') return fresh;
  const lineage = await loadLineage(ports.index, threadId)();
  if (E.isLeft(lineage)) return lineage;
  return lineage.right === undefined ? E.left(rejected(`thread not loaded: ${threadId}`)) : E.right(lineage.right);
};
