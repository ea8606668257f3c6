import * as E from 'fp-ts/lib/Either.js';
import { corrupt } from '../../domain/errors.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import type { Thread } from '../../domain/thread/thread.js';
import type { MutationPorts } from '../ports.js';
import { materialisedThread, readThread } from '../history/readThread.js';
import { lastRowBefore } from './lineage.js';
import { stop, take, useCase } from '../../domain/effect.js';

/** A thread as `thread/read` answers it (every turn when asked), after the index caught up. */
export const answerThread = async (ports: MutationPorts, threadId: string, includeTurns: boolean): Promise<Thread> => {
  for (let attempt = 1; ; attempt++) {
    // The turns stream from the files as they are taken: read inside the retry, they too.
    const read = await useCase(async () =>
      materialisedThread((await take(readThread(ports, { threadId, includeTurns }))).thread),
    )();
    if (E.isRight(read)) return read.right;
    // The mutation's write is done: a file of the thread that an archive or unarchive in another
    // process moved while it was read is read again where it lies now, not answered as the
    // mutation's failure.
    if (read.left._tag !== 'NotFound' || attempt >= ANSWER_READS) return stop(read.left);
    await afterMove(ports, threadId, read.left);
  }
};

/** Reads of a mutation's answer while the thread's files move under it (each move holds the files' locks once). */
const ANSWER_READS = 3;

/**
 * After a file of `threadId` was found gone (`missing`): a move holds the files' writer locks until
 * the index names their new place, so its lock is waited for before the thread is refreshed. A
 * refresh alone, under load, could still read the index the move had not yet told.
 */
export const afterMove = async (
  ports: MutationPorts,
  threadId: string,
  missing: Extract<EngineError, { _tag: 'NotFound' }>,
): Promise<void> => {
  if (missing.what === 'file' || missing.what === 'rollout file') await take(ports.files.awaitWriter(missing.id));
  await take(ports.indexer.refreshThread(threadId));
};

/** The `thread_settings` of the last `thread_settings_applied` below a history point, if any. */
export const settingsBefore = async (
  ports: MutationPorts,
  lineage: ThreadLineage,
  end?: { readonly segment: number; readonly line: number },
): Promise<unknown> => {
  const found = await lastRowBefore(ports.index, lineage, 'settingsLines', end);
  if (found === undefined) return undefined;
  const line = await take(
    ports.files.lineAt(found.segment.rollout.path, found.value.byteOffset, found.value.byteLength),
  );
  const p = line.payload as { thread_settings?: unknown } | null;
  return p?.thread_settings;
};

/** The current `session_meta` payload of a rollout file, as stored (instructions included). */
export const sessionMetaOf = async (ports: MutationPorts, path: string): Promise<Record<string, unknown>> => {
  const line = await take(ports.files.firstLine(path));
  if (line.type !== 'session_meta' || line.payload === null || typeof line.payload !== 'object') {
    return stop(corrupt(path, 0, `first line is ${line.type}, not session_meta`));
  }
  return line.payload as Record<string, unknown>;
};
