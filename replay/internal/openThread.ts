import * as E from 'fp-ts/lib/Either.js';
import { notFound } from '../../domain/errors.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import type { HistoryReadPorts, QuarantinedLines } from '../ports.js';
import { loadLineage } from './lineage.js';
import { stop } from './useCase.js';

/**
 * Read-repair the thread, then load its lineage. An unknown thread is NotFound, as for every other
 * use case; the words Codex uses for it differ by method and are the RPC layer's (`toRpcError`).
 * When its files hold quarantined lines, `onQuarantined` is told.
 */
export const openThread = async (ports: HistoryReadPorts, threadId: string): Promise<ThreadLineage> => {
  const fresh = await ports.indexer.refreshThread(threadId)();
  if (E.isLeft(fresh) && fresh.left._tag !== 'NotFound') return stop(fresh.left);
  const lineage = (await loadLineage(ports.index, threadId)) ?? stop(notFound('thread', threadId));
  const quarantined = quarantinedLinesOf(lineage);
  if (quarantined !== undefined) ports.onQuarantined?.(quarantined);
  return lineage;
};

/**
 * The quarantined lines of a lineage's files, and their lines with repeated ordinals, as each
 * file's rollout row counts them (a base file's count is all of it, its lines above the cut
 * included); undefined when there are none.
 */
export const quarantinedLinesOf = (lineage: ThreadLineage): QuarantinedLines | undefined => {
  const files = lineage.segments
    .filter((s) => s.rollout.invalidLines > 0 || s.rollout.repeatedOrdinals > 0)
    .map((s) => ({ path: s.rollout.path, lines: s.rollout.invalidLines, repeatedOrdinals: s.rollout.repeatedOrdinals }));
  if (files.length === 0) return undefined;
  return {
    threadId: lineage.thread.id,
    lines: files.reduce((n, f) => n + f.lines, 0),
    repeatedOrdinals: files.reduce((n, f) => n + f.repeatedOrdinals, 0),
    files,
  };
};
