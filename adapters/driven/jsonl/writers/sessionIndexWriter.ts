import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../../domain/errors.js';
import { openNoFollow } from '../../fs/noFollow.js';
import { appendNoFollow } from '../../fs/appendNoFollow.js';
import { syncFolder, writeFileAtomic } from '../../fs/writeFileAtomic.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import { errnoCode, toEngineError } from '../../fs/fsError.js';
import { createDurably } from './homeFacts.js';
import {
  SESSION_INDEX_MODE,
  sessionIndexLine,
  sessionIndexPath,
  sessionIndexText,
  withoutThread,
} from '../home/sessionIndex.js';

/**
 * The writes of Codex's name log, `session_index.jsonl` (its format and reads: `sessionIndex.ts`):
 * appended as Codex appends, rewritten only to forget a thread (carrying over what Codex appended
 * meanwhile), created whole for a new home (the export). One of the home's fact writers
 * (`homeFacts.ts` holds the rules they share); its own file because the rewrite's carry-over of
 * Codex's lock-free appends is a mechanism of its own.
 */

/**
 * Our processes' lock on the file (`session_index.jsonl.lock`): every append and rewrite of ours
 * takes it, so a rewrite never drops a line of ours. Codex's lock is inside its own process and it
 * appends without ours, which `forgetThreadNames` makes up for.
 */
const underIndexLock = async <A>(home: string, work: () => Promise<A>): Promise<A> => {
  const lock = await acquireLock(lockPathFor(sessionIndexPath(home)));
  try {
    return await work();
  } finally {
    await releaseLock(lock).catch(() => false);
  }
};

/** Append one rename: one `O_APPEND` write of one line (Codex appends the same way, so neither writer's line is torn by the other's). */
export const appendThreadName = (
  home: string,
  threadId: string,
  name: string,
  at: Date,
): TE.TaskEither<EngineError, void> => appendSessionIndexLine(home, sessionIndexLine(threadId, name, at));

/**
 * Append one line as it is (ending in a newline), as `appendThreadName` appends a rename's: a
 * mirrored home's own line, given back. Under our lock (a rewrite of ours never runs meanwhile),
 * never through a link, created with Codex's mode, fsynced (its new name too) before it is
 * acknowledged. `once` (a node's copy replaying the rename after a kill, its position not yet
 * saved): not appended when the file already holds this very line, checked under the lock.
 */
export const appendSessionIndexLine = (
  home: string,
  line: string,
  options: { readonly once?: boolean } = {},
): TE.TaskEither<EngineError, void> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    () =>
      underIndexLock(home, async () => {
        const existed = await fs.lstat(path).then(
          () => true,
          () => false,
        );
        if (options.once === true && existed && ((await sessionIndexText(home)) ?? '').includes(line)) return;
        await appendText(home, line);
        if (!existed) await syncFolder(home);
      }),
    toEngineError(path, 'append session index'),
  );
};

/** The name log's append steps a crash trial kills at (`adapters/driven/system/crashPoint.ts`). */
const SESSION_INDEX_CRASH_POINTS = {
  before: 'sessionIndex.append.before',
  partial: 'sessionIndex.append.partial',
  synced: 'sessionIndex.append.synced',
} as const;

/**
 * Whole lines appended (`O_APPEND`: one write, repeated only if the OS wrote short, cut back if it
 * fails part way), fsynced; a fragment the file ends with (Codex killed mid-write) is ended first
 * once it has stood still as long as a line whose writer died (`PARTIAL_LINE_WAIT_MS`): Codex
 * appends without our lock, so a fragment may be a line it is writing.
 */
const appendText = (home: string, text: string): Promise<void> =>
  appendNoFollow(
    home,
    sessionIndexPath(home),
    text,
    SESSION_INDEX_MODE,
    true,
    { stillMs: PARTIAL_LINE_WAIT_MS },
    SESSION_INDEX_CRASH_POINTS,
  );

/** Bytes `[from, to)` of an open file. */
const bytesOf = async (fh: FileHandle, from: number, to: number): Promise<Buffer> => {
  const buf = Buffer.alloc(to - from);
  let at = 0;
  while (at < buf.length) {
    const { bytesRead } = await fh.read(buf, at, buf.length - at, from + at);
    if (bytesRead === 0) break;
    at += bytesRead;
  }
  return buf.subarray(0, at);
};

/** A Codex append is one write of microseconds: looks this far apart find none in between, two in a row end the carry-over. */
const SETTLE_MS = 5;
/** A line whose writer died mid-write is carried as it stands after this long (with a newline, so the next line is not glued to it). */
const PARTIAL_LINE_WAIT_MS = 2_000;
/** Times the rewrite starts over when the file was replaced under it (Codex's own delete takes no lock of ours). */
const REPLACED_RETRIES = 5;

class Replaced extends Error {
  constructor() {
    super('session_index.jsonl was replaced while it was rewritten, again after every retry');
  }
}

/**
 * What was appended to the replaced file from byte `from` on (Codex appends without our lock, also
 * through a handle it opened before the rename), less the thread's lines, appended to the new
 * file until the old one stays still. Returns nothing; what it carried is durable when it returns.
 */
const carryOver = async (home: string, old: FileHandle, from: number, threadId: string): Promise<void> => {
  let quiet = 0;
  let partialSince: number | undefined;
  while (quiet < 2) {
    const { size } = await old.stat();
    if (size <= from) {
      quiet += 1;
      partialSince = undefined;
    } else {
      quiet = 0;
      const bytes = await bytesOf(old, from, size);
      let end = bytes.lastIndexOf(0x0a) + 1;
      let tail = '';
      if (end < bytes.length) {
        partialSince ??= Date.now();
        if (Date.now() - partialSince > PARTIAL_LINE_WAIT_MS) {
          end = bytes.length;
          tail = '\n';
        }
      } else partialSince = undefined;
      if (end > 0) {
        const { kept } = withoutThread(bytes.subarray(0, end).toString('utf8') + tail, threadId);
        if (kept !== '') await appendText(home, kept);
        from += end;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
};

/**
 * Drop every line of a thread (thread/delete), as Codex's `remove_thread_name_entries` does: the
 * other lines go to a new file renamed over the old one, fsynced, and nothing is written when the
 * thread has no line. Under our lock, so no append of ours is dropped. Codex appends without it:
 * the old file stays open, and what it gains after it was read (before or after the rename) is
 * carried over to the new one. The new file keeps the old one's mode; no link is followed.
 */
export const forgetThreadNames = (home: string, threadId: string): TE.TaskEither<EngineError, void> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    () => underIndexLock(home, () => rewriteWithout(home, threadId, REPLACED_RETRIES)),
    toEngineError(path, 'rewrite session index'),
  );
};

const rewriteWithout = async (home: string, threadId: string, retries: number): Promise<void> => {
  const path = sessionIndexPath(home);
  let old: FileHandle;
  try {
    old = await openNoFollow(home, path, 'read');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  try {
    const read = await old.stat();
    const bytes = await bytesOf(old, 0, read.size);
    // Whole lines only: a last line without its newline is still being written, carried once complete.
    const complete = bytes.lastIndexOf(0x0a) + 1;
    const { kept, dropped } = withoutThread(bytes.subarray(0, complete).toString('utf8'), threadId);
    if (dropped === 0) return;
    try {
      await writeFileAtomic(path, kept, {
        mode: { keep: SESSION_INDEX_MODE },
        root: home,
        hooks: {
          beforeRename: async () => {
            const now = await fs.lstat(path);
            if (now.ino !== read.ino || now.dev !== read.dev) throw new Replaced();
          },
        },
      });
    } catch (err) {
      if (err instanceof Replaced && retries > 0) return await rewriteWithout(home, threadId, retries - 1);
      throw err;
    }
    await carryOver(home, old, complete, threadId);
  } finally {
    await old.close();
  }
};

/** The mode of every file the export writes. */
const EXPORTED_FILE_MODE = 0o600;

/**
 * A new home's name log (the export): created with these lines, never over a file that is there,
 * this user's alone as every file the export writes (not Codex's mode: the export has no Codex).
 */
export const createSessionIndex = (home: string, lines: ReadonlyArray<string>): Promise<void> =>
  underIndexLock(home, () => createDurably(home, sessionIndexPath(home), lines.join(''), EXPORTED_FILE_MODE));
