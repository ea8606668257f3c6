import type { HistoryIndexer } from '../../domain/ports.js';
import type { HistoryPoint } from '../../domain/history/cut.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import type { LineDraft } from '../../domain/rollout/lineDraft.js';
import { take } from '../../domain/effect.js';
import type { FileWritten, MutationPorts } from '../ports.js';

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

/** Lines appended to a thread's current file at its `end`, caught up before it returns (a rollback's marker, an inline review): what was written. */
export const appendedCaughtUp = (
  ports: MutationPorts,
  path: string,
  lines: ReadonlyArray<LineDraft>,
  end: HistoryPoint,
  mode: HistoryMode,
): Promise<FileWritten> =>
  writingFiles(ports, [path], async () => {
    const r = await take(ports.files.append(path, lines, { ordinal: end.line, byteOffset: end.byteOffset }, mode));
    await take(ports.indexer.catchUp([path]));
    return { path, bytes: r.next.byteOffset - r.first.byteOffset, lines: r.next.ordinal - r.first.ordinal };
  });
