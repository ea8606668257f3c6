import * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { invalidArgument } from '../../../domain/errors.js';
import { ThreadStateEvent } from '../../../domain/threadState/threadStateEvent.js';
import type { ThreadStateRow } from '../../../domain/threadState/threadStateEvent.js';
import type { IndexStore } from '../../../domain/ports.js';
import type { IndexReader, IndexWrite } from '../../../domain/index/rows.js';
import { foldThreadStateEvents } from '../../../projections/threadState.js';
import type { ThreadStateLog } from '../../../replay/ports.js';
import { THREAD_STATE_LOG_KEY } from '../lmdb/schema.js';
import { errnoCode, isPermissionDenied, toEngineError } from '../fs/fsError.js';
import { openNoFollow } from '../fs/noFollow.js';
import { threadStateLogPath, underThreadStateLog } from '../jsonl/writers/homeFacts.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/** Complete lines of `text` decoded; a line that is not an event is skipped (told to `onBadLine`), a last line without "\n" is left for later. */
export const decodeThreadStateLines = (
  text: string,
  onBadLine: (reason: string) => void = () => undefined,
): { readonly events: ThreadStateEvent[]; readonly consumed: number } => {
  const end = text.lastIndexOf('\n') + 1;
  const events: ThreadStateEvent[] = [];
  for (const line of text.slice(0, end).split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = parseJson(line);
    } catch (e) {
      onBadLine(`not JSON: ${(e as Error).message}`);
      continue;
    }
    const decoded = ThreadStateEvent.decode(json);
    if (E.isLeft(decoded)) onBadLine('not a thread-state event');
    else events.push(decoded.right);
  }
  return { events, consumed: Buffer.byteLength(text.slice(0, end)) };
};

/** A change refused for want of permission says whose the log is and what to do. */
const notWritable = (path: string, e: EngineError): EngineError =>
  isPermissionDenied(e)
    ? invalidArgument(
        'thread state',
        `${path} is not writable by this user (${e.code}): read receipts and stored git info are kept in the home's .rollout-engine/, which another user (root?) made; run this as that user, or have it give the folder back`,
      )
    : e;

/** Told a read failed for want of permission: Right (the read goes without the log), else undefined. */
type Unreadable = (err: unknown, op: string) => E.Either<EngineError, void> | undefined;

/** The log's size; undefined when there is none, or it may not be read (`unreadable`). */
const logSize = async (path: string, unreadable: Unreadable): Promise<number | undefined> => {
  try {
    return (await fs.stat(path)).size;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    await take(unreadable(err, 'stat') ?? E.left(toEngineError(path, 'stat')(err)));
    return undefined;
  }
};

/** The log's bytes from `start` to `size`, as text; undefined when it may not be read (`unreadable`). */
const logTextFrom = async (
  codexHome: string,
  path: string,
  span: { readonly start: number; readonly size: number },
  unreadable: Unreadable,
): Promise<string | undefined> => {
  try {
    const fh = await openNoFollow(codexHome, path, 'read');
    try {
      const buf = Buffer.alloc(span.size - span.start);
      const { bytesRead } = await fh.read(buf, 0, buf.length, span.start);
      return buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    await take(unreadable(err, 'read') ?? E.left(toEngineError(path, 'read')(err)));
    return undefined;
  }
};

/** The events folded and the log's folded length moved from `from` to `to`, unless another process did it first. */
const foldedInto =
  (events: ReadonlyArray<ThreadStateEvent>, from: number, to: number) =>
  (reader: IndexReader): IndexWrite[] => {
    // Another process folded these bytes meanwhile: nothing to do (its fold is the same).
    const now = reader.get('meta', THREAD_STATE_LOG_KEY);
    if ((typeof now === 'number' ? now : 0) !== from) return [];
    return [
      ...foldThreadStateEvents(reader, events),
      { op: 'put', table: 'meta', key: [...THREAD_STATE_LOG_KEY], value: to },
    ];
  };

/**
 * The thread-state log of a home over its index: appends are one `O_APPEND` write of one line
 * (fsynced) under `<log>.lock` (`homeFacts.underThreadStateLog`); the index records how many bytes it folded (`meta` key
 * `threadStateLog`), so a rebuilt index (no key) folds the whole log again and keeps every state.
 */
export const threadStateLogOver = (
  store: IndexStore,
  codexHome: string,
  onUnreadable: (error: EngineError) => void = () => undefined,
): ThreadStateLog => {
  const path = threadStateLogPath(codexHome);
  /**
   * A log this user may not read (root used the home once and left `.rollout-engine/` its own, 0700:
   * the index went to this user's cache, layout.ts) is no reason to refuse every read: the answers
   * go without read receipts and stored git info, and `onUnreadable` is told. A change needs the
   * log: it is refused with the reason.
   */
  const unreadable = (err: unknown, op: string): E.Either<EngineError, void> | undefined => {
    const e = toEngineError(path, op)(err);
    if (!isPermissionDenied(e)) return undefined;
    onUnreadable(e);
    return E.right(undefined);
  };
  const folded = async (): Promise<E.Either<EngineError, number>> =>
    E.map((v: unknown) => (typeof v === 'number' ? v : 0))(await store.get('meta', THREAD_STATE_LOG_KEY)());

  const catchUp = (): Promise<E.Either<EngineError, void>> =>
    useCase(async () => {
      const size = await logSize(path, unreadable);
      if (size === undefined) return;
      const from = await take(folded());
      // A log shorter than what was folded was replaced: fold it whole (events carry whole values).
      const start = from > size ? 0 : from;
      if (start === size) return;
      const text = await logTextFrom(codexHome, path, { start, size }, unreadable);
      if (text === undefined) return;
      const { events, consumed } = decodeThreadStateLines(text);
      if (consumed === 0) return;
      await take(store.commit(foldedInto(events, from, start + consumed)));
    })();

  return {
    catchUp: () => catchUp,
    change: (threadId, decide) => async () => {
      return underThreadStateLog(
        codexHome,
        (append): Promise<E.Either<EngineError, ThreadStateRow | undefined>> =>
          useCase(async () => {
            await take(catchUp());
            const current = await take(store.get('threadState', [threadId]));
            const event = await take(decide(current));
            if (event === null) return current;
            try {
              await append(event);
            } catch (err) {
              return stop(toEngineError(path, 'append')(err));
            }
            await take(catchUp());
            return take(store.get('threadState', [threadId]) as TE.TaskEither<EngineError, ThreadStateRow | undefined>);
          })(),
        (step, err) => E.left(notWritable(path, toEngineError(path, step)(err))),
      );
    },
  };
};
