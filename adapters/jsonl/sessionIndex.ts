import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { appendNoFollow, openNoFollow, readTextNoFollow } from '../fs/noFollow.js';
import { syncFolder, writeFileAtomic } from '../fs/writeFileAtomic.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';

/** A line of `session_index.jsonl`, appended by `thread/name/set`. */
const SessionIndexEntry = t.type({ id: t.string, thread_name: t.string });

/** Codex's name log in a home. */
const sessionIndexPath = (home: string): string => nodePath.join(home, 'session_index.jsonl');

/**
 * The mode Codex gives the file it creates (`OpenOptions::create`: 0666 less the usual umask 022),
 * ours whatever the umask; a file that exists keeps its own, as its owner set it.
 */
export const SESSION_INDEX_MODE = 0o644;

/** Whether a name in CODEX_HOME is what a killed rewrite or append of ours left: the rewrite's temp file (`tempPathBeside`), our lock, its breaker. */
export const isSessionIndexLeftover = (name: string): boolean => name.startsWith('.session_index.jsonl.') || name.startsWith('session_index.jsonl.lock');

/** The file's text, read without following a link (a home's owner may have planted one); undefined when there is no file. */
const textOf = (home: string): Promise<string | undefined> =>
  readTextNoFollow(home, sessionIndexPath(home)).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));

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

/**
 * Thread names by id; the last entry for an id wins. An undecodable line is skipped here because
 * the file is Codex's own name log, not history; it is reported through `onBadLine`.
 */
export const readThreadNames = (
  home: string,
  onBadLine: (lineNo: number, reason: string) => void = () => undefined,
): TE.TaskEither<EngineError, ReadonlyMap<string, string>> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    async () => {
      const text = await textOf(home);
      if (text === undefined) return new Map<string, string>();
      const names = new Map<string, string>();
      text.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch (e) {
          onBadLine(i, `not JSON: ${(e as Error).message}`);
          return;
        }
        const r = SessionIndexEntry.decode(json);
        if (E.isLeft(r)) onBadLine(i, 'not a session index entry');
        else names.set(r.right.id, r.right.thread_name);
      });
      return names;
    },
    (err) => toEngineError(path, 'read session index')(err),
  );
};

/** Codex's `updated_at`: RFC 3339 UTC, the second's fraction without trailing zeros (`…07.259262273Z`, `…02.39668894Z`); our clock has milliseconds. */
const codexTimestamp = (at: Date): string => at.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));

/** The line `thread/name/set` appends, keys in Codex's order. */
export const sessionIndexLine = (threadId: string, name: string, at: Date): string =>
  `${JSON.stringify({ id: threadId, thread_name: name, updated_at: codexTimestamp(at) })}\n`;

/** Append one rename: one `O_APPEND` write of one line (Codex appends the same way, so neither writer's line is torn by the other's). */
export const appendThreadName = (home: string, threadId: string, name: string, at: Date): TE.TaskEither<EngineError, void> =>
  appendSessionIndexLine(home, sessionIndexLine(threadId, name, at));

/**
 * Append one line as it is (ending in a newline), as `appendThreadName` appends a rename's: a
 * mirrored home's own line, given back. Under our lock (a rewrite of ours never runs meanwhile),
 * never through a link, created with Codex's mode, fsynced (its new name too) before it is acknowledged.
 */
export const appendSessionIndexLine = (home: string, line: string): TE.TaskEither<EngineError, void> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    () =>
      underIndexLock(home, async () => {
        const existed = await fs.lstat(path).then(
          () => true,
          () => false,
        );
        await appendText(home, line);
        if (!existed) await syncFolder(home);
      }),
    toEngineError(path, 'append session index'),
  );
};

/** Whole lines appended (`O_APPEND`: one write, repeated only if the OS wrote short), fsynced. */
const appendText = (home: string, text: string): Promise<void> => appendNoFollow(home, sessionIndexPath(home), text, SESSION_INDEX_MODE, true);

/** The complete lines of `text` (each with its newline, byte for byte) less the thread's entries, Codex's test: the line decodes as an entry naming it. */
const withoutThread = (text: string, threadId: string): { readonly kept: string; readonly dropped: number } => {
  let kept = '';
  let dropped = 0;
  for (const line of text.split(/(?<=\n)/)) {
    let ofThread = false;
    try {
      const r = SessionIndexEntry.decode(JSON.parse(line));
      ofThread = E.isRight(r) && r.right.id === threadId;
    } catch {
      // Not JSON: not an entry, kept as it is.
    }
    if (ofThread) dropped += 1;
    else kept += line;
  }
  return { kept, dropped };
};

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
  return TE.tryCatch(() => underIndexLock(home, () => rewriteWithout(home, threadId, REPLACED_RETRIES)), toEngineError(path, 'rewrite session index'));
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

/** A rename line of `session_index.jsonl` as it is written: its thread, name, `updated_at` ('' when it has none) and exact text (with its newline). */
export interface SessionIndexEntryLine {
  readonly threadId: string;
  readonly name: string;
  readonly at: string;
  readonly line: string;
}

/**
 * Every rename line of the file in order, each with its exact text (mirroring gives them back
 * byte for byte), and how many lines were not renames (not JSON, not an entry): those are
 * counted, not given. A last line without a newline is still being written: left out.
 */
export const sessionIndexEntries = (home: string): TE.TaskEither<EngineError, { readonly entries: SessionIndexEntryLine[]; readonly skipped: number }> => {
  const path = sessionIndexPath(home);
  return TE.tryCatch(
    async () => {
      const text = (await textOf(home)) ?? '';
      const entries: SessionIndexEntryLine[] = [];
      let skipped = 0;
      for (const line of text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .slice(0, -1)) {
        if (line.trim() === '') continue;
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          skipped += 1;
          continue;
        }
        const r = SessionIndexEntry.decode(json);
        if (E.isLeft(r)) {
          skipped += 1;
          continue;
        }
        const at = (json as { updated_at?: unknown }).updated_at;
        entries.push({ threadId: r.right.id, name: r.right.thread_name, at: typeof at === 'string' ? at : '', line: `${line}\n` });
      }
      return { entries, skipped };
    },
    (err) => toEngineError(path, 'read session index')(err),
  );
};
