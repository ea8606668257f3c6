import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument } from '../../domain/errors.js';
import { ThreadStateEvent } from '../../domain/threadState/threadStateEvent.js';
import type { ThreadStateRow } from '../../domain/threadState/threadStateEvent.js';
import type { IndexStore } from '../../domain/ports.js';
import { foldThreadStateEvents } from '../../projections/threadState.js';
import type { ThreadStateLog } from '../../replay/ports.js';
import { THREAD_STATE_LOG_KEY } from '../lmdb/schema.js';
import { acquireLock, releaseLock } from '../fs/lockFile.js';
import { errnoCode, isPermissionDenied, toEngineError } from '../fs/fsError.js';
import { appendNoFollow, mkdirNoFollow, openNoFollow } from '../fs/noFollow.js';

/** The log names the home's threads and their states: this user's alone, whatever the umask (as the index beside it). */
const THREAD_STATE_LOG_MODE = 0o600;
const ENGINE_FOLDER_MODE = 0o700;

/** The log's place: the home's `.rollout-engine/` (beside Codex's own state), whichever index dir reads it, so every index of the home folds the same log. */
export const threadStateLogPath = (codexHome: string): string => nodePath.join(codexHome, '.rollout-engine', 'thread-state.jsonl');

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
      json = JSON.parse(line);
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

/**
 * The thread-state log of a home over its index: appends are one `O_APPEND` write of one line
 * (fsynced) under `<log>.lock`; the index records how many bytes it folded (`meta` key
 * `threadStateLog`), so a rebuilt index (no key) folds the whole log again and keeps every state.
 */
export const threadStateLogOver = (store: IndexStore, codexHome: string, onUnreadable: (error: EngineError) => void = () => undefined): ThreadStateLog => {
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

  const catchUp = async (): Promise<E.Either<EngineError, void>> => {
    let size: number;
    try {
      size = (await fs.stat(path)).size;
    } catch (err) {
      return errnoCode(err) === 'ENOENT' ? E.right(undefined) : (unreadable(err, 'stat') ?? E.left(toEngineError(path, 'stat')(err)));
    }
    const from = await folded();
    if (E.isLeft(from)) return from;
    // A log shorter than what was folded was replaced: fold it whole (events carry whole values).
    const start = from.right > size ? 0 : from.right;
    if (start === size) return E.right(undefined);
    let text: string;
    try {
      const fh = await openNoFollow(codexHome, path, 'read');
      try {
        const buf = Buffer.alloc(size - start);
        const { bytesRead } = await fh.read(buf, 0, buf.length, start);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await fh.close();
      }
    } catch (err) {
      return unreadable(err, 'read') ?? E.left(toEngineError(path, 'read')(err));
    }
    const { events, consumed } = decodeThreadStateLines(text);
    if (consumed === 0) return E.right(undefined);
    const committed = await store.commit((reader) => {
      // Another process folded these bytes meanwhile: nothing to do (its fold is the same).
      const now = reader.get('meta', THREAD_STATE_LOG_KEY);
      if ((typeof now === 'number' ? now : 0) !== from.right) return [];
      return [...foldThreadStateEvents(reader, events), { op: 'put', table: 'meta', key: [...THREAD_STATE_LOG_KEY], value: start + consumed }];
    })();
    return E.isLeft(committed) ? committed : E.right(undefined);
  };

  return {
    catchUp: () => catchUp,
    change: (threadId, decide) => async () => {
      try {
        // The home's owner may have planted a link at `.rollout-engine` or the log: refused, never followed.
        await mkdirNoFollow(codexHome, nodePath.dirname(path), ENGINE_FOLDER_MODE);
      } catch (err) {
        return E.left(notWritable(path, toEngineError(path, 'mkdir')(err)));
      }
      let lock;
      try {
        lock = await acquireLock(`${path}.lock`);
      } catch (err) {
        return E.left(notWritable(path, toEngineError(path, 'lock')(err)));
      }
      try {
        const caught = await catchUp();
        if (E.isLeft(caught)) return caught;
        const current = await store.get('threadState', [threadId])();
        if (E.isLeft(current)) return current;
        const event = decide(current.right);
        if (E.isLeft(event)) return event;
        if (event.right === null) return E.right(current.right);
        try {
          await appendNoFollow(codexHome, path, `${JSON.stringify(event.right)}\n`, THREAD_STATE_LOG_MODE, true);
        } catch (err) {
          return E.left(toEngineError(path, 'append')(err));
        }
        const after = await catchUp();
        if (E.isLeft(after)) return after;
        return (await store.get('threadState', [threadId])()) as E.Either<EngineError, ThreadStateRow | undefined>;
      } finally {
        await releaseLock(lock).catch(() => false);
      }
    },
  };
};
