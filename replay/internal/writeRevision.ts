import type { HistoryPoint } from '../../domain/history/cut.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import * as E from 'fp-ts/lib/Either.js';
import { corrupt } from '../../domain/errors.js';
import { revisionLines } from '../../domain/revert/revisionLines.js';
import { lineTimestamp, renderDrafts } from '../../domain/rollout/lineDraft.js';
import type { FileWritten, MutationPorts } from '../ports.js';
import { afterMove, sessionMetaOf, settingsBefore } from './mutationSteps.js';
import { stop, take } from '../../domain/effect.js';
import { writingFiles } from './writingFiles.js';

/**
 * Write a revision of a paginated thread that keeps its history below `cut` (Codex's
 * `thread/revert` file): a new `rollout-<now>-<threadId>_<revisionId>.jsonl`, then index it.
 * The newest revision becomes the thread's current file; nothing existing is rewritten. It is cut
 * under the current file's lock, expecting the file to end at `end` (`RolloutFiles.revise`): the
 * caller reads `end` before anything it decides the cut from, so rows it saw were all below it —
 * had another process's lines been indexed meanwhile, the file is past `end` and the cut a Conflict.
 * Codex's state DB moves to the new file with it (or nothing is written).
 */
export const writeRevision = async (
  ports: MutationPorts,
  lineage: ThreadLineage,
  cut: HistoryPoint,
  end: HistoryPoint,
): Promise<FileWritten> => {
  if (cut.ordinal === null) return stop(corrupt(cut.rolloutId, cut.byteOffset, 'a paginated cut has no ordinal'));
  const current = currentSegmentOf(lineage);
  const now = ports.clock.now();
  const revisionId = ports.ids.uuidv7();
  const path = ports.files.pathFor(now, lineage.thread.id, revisionId, current.rollout.path);
  const lines = revisionLines({
    currentMeta: await sessionMetaOf(ports, current.rollout.path),
    threadId: lineage.thread.id,
    timestamp: lineTimestamp(now),
    cut: { ...cut, ordinal: cut.ordinal },
    settings: await settingsBefore(ports, lineage),
  });
  const revise = ports.files.revise(
    current.rollout.path,
    { ordinal: end.line, byteOffset: end.byteOffset },
    path,
    renderDrafts(lines, cut.ordinal),
  );
  return writingFiles(ports, [path], async () => {
    // Codex's state DB moves to the new file with it (or nothing is written).
    const written = await take(
      ports.codexState.switchCurrentFile(
        { threadId: lineage.thread.id, from: current.rollout.path, to: path, at: now },
        revise,
      ),
    );
    // Written: an archive or unarchive that took the locks next may be moving it and its base
    // already; the thread is then read again where its files lie, not answered as failed.
    const indexed = await ports.indexer.catchUp([path])();
    if (E.isLeft(indexed)) {
      if (indexed.left._tag !== 'NotFound') return stop(indexed.left);
      await afterMove(ports, lineage.thread.id, indexed.left);
    }
    return { path, bytes: written.next.byteOffset, lines: written.next.ordinal };
  });
};
