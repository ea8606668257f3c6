import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { Thread } from '../../domain/thread/thread.js';
import type { MutationPorts } from '../ports.js';
import { readThread } from '../readThread.js';
import type { ThreadChain } from './historyIndex.js';
import { lastRowBefore } from './historyIndex.js';

const run = async <A>(te: TE.TaskEither<EngineError, A>): Promise<A> => {
  const r = await te();
  if (E.isLeft(r)) throw r.left;
  return r.right;
};

/** Unwrap a port call inside the straight-line use cases (`attempt` turns the throw back into Left). */
export const must = run;

/** A thread as `thread/read` answers it (every turn when asked), after the index caught up. */
export const answerThread = async (ports: MutationPorts, threadId: string, includeTurns: boolean): Promise<Thread> =>
  (await run(readThread(ports, threadId, includeTurns))).thread;

/** The `thread_settings` of the last `thread_settings_applied` below a history point, if any. */
export const settingsBefore = async (
  ports: MutationPorts,
  chain: ThreadChain,
  end?: { readonly segment: number; readonly line: number },
): Promise<unknown> => {
  const found = await lastRowBefore(ports.index, chain, 'settingsLines', end);
  if (found === undefined) return undefined;
  const line = await run(ports.files.lineAt(found.segment.path, found.value.byteOffset, found.value.byteLength));
  const p = line.payload as { thread_settings?: unknown } | null;
  return p?.thread_settings;
};

/** The current `session_meta` payload of a rollout file, as stored (instructions included). */
export const sessionMetaOf = async (ports: MutationPorts, path: string): Promise<Record<string, unknown>> => {
  const line = await run(ports.files.firstLine(path));
  if (line.type !== 'session_meta' || line.payload === null || typeof line.payload !== 'object') {
    throw { _tag: 'Corrupt', path, byteOffset: 0, reason: `first line is ${line.type}, not session_meta` } satisfies EngineError;
  }
  return line.payload as Record<string, unknown>;
};
