import type { HistoryPoint } from '../../domain/history/cut.js';
import { corrupt } from '../../domain/errors.js';
import { revisionLines } from '../../domain/revert/revisionLines.js';
import { lineTimestamp, renderDrafts } from '../../domain/rollout/lineDraft.js';
import type { ThreadChain } from './historyIndex.js';
import type { MutationPorts } from '../ports.js';
import { must, sessionMetaOf, settingsBefore } from './mutationSteps.js';

/**
 * Write a revision of a paginated thread that keeps its history below `cut` (Codex's
 * `thread/revert` file): a new `rollout-<now>-<threadId>_<revisionId>.jsonl`, then index it.
 * The newest revision becomes the thread's current file; nothing existing is rewritten.
 */
export const writeRevision = async (
  ports: MutationPorts,
  chain: ThreadChain,
  cut: HistoryPoint,
): Promise<{ readonly path: string; readonly bytes: number; readonly lines: number }> => {
  if (cut.ordinal === null) throw corrupt(cut.rolloutId, cut.byteOffset, 'a paginated cut has no ordinal');
  const current = chain.segments[chain.segments.length - 1]!;
  const now = ports.clock.now();
  const revisionId = ports.ids.uuidv7();
  const path = ports.files.pathFor(now, chain.thread.id, revisionId);
  const lines = revisionLines({
    currentMeta: await sessionMetaOf(ports, current.path),
    threadId: chain.thread.id,
    timestamp: lineTimestamp(now),
    cut: { ...cut, ordinal: cut.ordinal },
    settings: await settingsBefore(ports, chain),
  });
  const written = await must(ports.files.create(path, renderDrafts(lines, cut.ordinal)));
  await must(ports.indexer.catchUp([path]));
  return { path, bytes: written.next.byteOffset, lines: written.next.ordinal };
};
