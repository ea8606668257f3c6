import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument, notFound, rejected } from '../../domain/errors.js';
import type { ThreadStateEvent } from '../../domain/threadState/threadStateEvent.js';
import type { ThreadHomeFiles } from '../../replay/ports.js';
import { mkdirNoFollow, openNoFollow } from '../fs/noFollow.js';
import { appendNoFollow, byteAt } from '../fs/appendNoFollow.js';
import { createNoFollow } from '../fs/heldFolder.js';
import { syncFolder, writeFileAtomic } from '../fs/writeFileAtomic.js';
import type { HeldLock, LockOptions } from '../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import { LinkRefused, deniesAccess, errnoCode, toEngineError } from '../fs/fsError.js';
import { writesInsideHome } from '../fs/insideHome.js';
import { holdRolloutFolder } from './rolloutFolder.js';
import { parseRolloutFileName } from './rolloutFileName.js';
import { SESSION_INDEX_MODE, sessionIndexLine, sessionIndexPath, sessionIndexText, withoutThread } from './sessionIndex.js';
import { supersededMarkOf } from './supersededMark.js';

/**
 * The one writer of CODEX_HOME's facts that are not rollout lines: a thread's name
 * (`session_index.jsonl`), where a rollout file lives (archive and unarchive moves, deletes), the
 * superseded mark of a revised file, and the engine's thread-state events
 * (`.rollout-engine/thread-state.jsonl`). Local mutations (`threadHomeFiles`, the rollout writer,
 * `ThreadStateLog.change`), a node's EventStoreDB copy (`eventstore/homeReplica.ts`) and the
 * export (`eventstore/exportHome.ts`) all write through it, so one rule holds for each file:
 * - locks: `session_index.jsonl.lock` for every write of the name log, `<log>.lock` for every
 *   append to the thread-state log, the rollout's writer lock (`<file>.lock`) around local moves
 *   and marks (its caller holds it);
 * - durability: a replaced file goes through `writeFileAtomic`, an append is fsynced
 *   (`appendNoFollow(..., durable)`), a created file is fsynced with its folder;
 * - no link is followed, and what a node's copy replays after a kill is applied once.
 */

// ---- session_index.jsonl: appended as Codex appends, rewritten only to forget a thread ----

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
export const appendThreadName = (home: string, threadId: string, name: string, at: Date): TE.TaskEither<EngineError, void> =>
  appendSessionIndexLine(home, sessionIndexLine(threadId, name, at));

/**
 * Append one line as it is (ending in a newline), as `appendThreadName` appends a rename's: a
 * mirrored home's own line, given back. Under our lock (a rewrite of ours never runs meanwhile),
 * never through a link, created with Codex's mode, fsynced (its new name too) before it is
 * acknowledged. `once` (a node's copy replaying the rename after a kill, its position not yet
 * saved): not appended when the file already holds this very line, checked under the lock.
 */
export const appendSessionIndexLine = (home: string, line: string, options: { readonly once?: boolean } = {}): TE.TaskEither<EngineError, void> => {
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

/** The name log's append steps a crash trial kills at (`adapters/system/crashPoint.ts`). */
const SESSION_INDEX_CRASH_POINTS = { before: 'sessionIndex.append.before', partial: 'sessionIndex.append.partial', synced: 'sessionIndex.append.synced' } as const;

/**
 * Whole lines appended (`O_APPEND`: one write, repeated only if the OS wrote short, cut back if it
 * fails part way), fsynced; a fragment the file ends with (Codex killed mid-write) is ended first
 * once it has stood still as long as a line whose writer died (`PARTIAL_LINE_WAIT_MS`): Codex
 * appends without our lock, so a fragment may be a line it is writing.
 */
const appendText = (home: string, text: string): Promise<void> =>
  appendNoFollow(home, sessionIndexPath(home), text, SESSION_INDEX_MODE, true, { stillMs: PARTIAL_LINE_WAIT_MS }, SESSION_INDEX_CRASH_POINTS);

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

/** The mode of every file the export writes. */
const EXPORTED_FILE_MODE = 0o600;

/**
 * A new home's name log (the export): created with these lines, never over a file that is there,
 * this user's alone as every file the export writes (not Codex's mode: the export has no Codex).
 */
export const createSessionIndex = (home: string, lines: ReadonlyArray<string>): Promise<void> =>
  underIndexLock(home, () => createDurably(home, sessionIndexPath(home), lines.join(''), EXPORTED_FILE_MODE));

/** A file created (O_EXCL, no link followed) with its content, fsynced with its new name. */
const createDurably = async (root: string, path: string, content: string, mode: number): Promise<void> => {
  await createNoFollow(root, path, content, mode, true);
  await syncFolder(nodePath.dirname(path));
};

// ---- the engine's thread-state log ----

/** The log names the home's threads and their states: this user's alone, whatever the umask (as the index beside it). */
const THREAD_STATE_LOG_MODE = 0o600;
/** The thread-state log's append steps a crash trial kills at (`adapters/system/crashPoint.ts`). */
const THREAD_STATE_CRASH_POINTS = { before: 'threadState.append.before', partial: 'threadState.append.partial', synced: 'threadState.append.synced' } as const;
const ENGINE_FOLDER_MODE = 0o700;

/** The log's place: the home's `.rollout-engine/` (beside Codex's own state), whichever index dir reads it, so every index of the home folds the same log. */
export const threadStateLogPath = (codexHome: string): string => nodePath.join(codexHome, '.rollout-engine', 'thread-state.jsonl');

/** What `underThreadStateLog` could not do before the work: make the log's folder, or take its lock. */
export type ThreadStateLogStep = 'mkdir' | 'lock';

/**
 * `work` under the log's lock (`<log>.lock`), its folder made first (a link planted at
 * `.rollout-engine` is refused, never followed); `work` appends with the function it is given
 * (one `O_APPEND` write of one line, fsynced). A failed step before the work goes to `failed`.
 * `lock`: how the lock is waited for (`LockOptions`; the defaults unless given).
 */
export const underThreadStateLog = async <A>(
  home: string,
  work: (append: (event: ThreadStateEvent) => Promise<void>) => Promise<A>,
  failed: (step: ThreadStateLogStep, err: unknown) => A,
  lock: LockOptions = {},
): Promise<A> => {
  const path = threadStateLogPath(home);
  try {
    await mkdirNoFollow(home, nodePath.dirname(path), ENGINE_FOLDER_MODE);
  } catch (err) {
    return failed('mkdir', err);
  }
  let held: HeldLock;
  try {
    held = await acquireLock(lockPathFor(path), lock);
  } catch (err) {
    return failed('lock', err);
  }
  try {
    // Only the engine writes the log, under this lock: a fragment found here is torn for good (its writer killed), ended at once.
    return await work((event) => appendNoFollow(home, path, `${JSON.stringify(event)}\n`, THREAD_STATE_LOG_MODE, true, { stillMs: 0 }, THREAD_STATE_CRASH_POINTS));
  } finally {
    await releaseLock(held).catch(() => false);
  }
};

/**
 * One event appended under the log's lock (a node's copy; `ThreadStateLog.change` appends inside
 * its own decision). A replay after a kill may append it again: each event carries the whole new
 * value and replays come in order, so the fold of the log is the same.
 */
export const appendThreadStateEvent = (home: string, event: ThreadStateEvent, lock: LockOptions = {}): Promise<void> =>
  underThreadStateLog(
    home,
    (append) => append(event),
    (_, err) => Promise.reject(err),
    lock,
  );

/** A new home's thread-state log (the export): created with these lines, never over a file that is there. */
export const createThreadStateLog = (home: string, lines: ReadonlyArray<string>): Promise<void> =>
  underThreadStateLog(
    home,
    () => createDurably(home, threadStateLogPath(home), lines.join(''), THREAD_STATE_LOG_MODE),
    (_, err) => Promise.reject(err),
  );

// ---- what verify tells of the two logs ----

/**
 * The home's append-only logs (`session_index.jsonl`, the thread-state log) that end in the middle
 * of a line: a writer killed mid-write (Codex's, or an older engine's cut short by a full disk).
 * The next append ends the fragment before its own line; until then `verify` names them. Read
 * without following a link; a missing log has no fragment.
 */
export const homeLogsEndingMidLine = async (home: string): Promise<string[]> => {
  const torn: string[] = [];
  for (const path of [sessionIndexPath(home), threadStateLogPath(home)]) {
    let fh: FileHandle;
    try {
      fh = await openNoFollow(home, path, 'read');
    } catch (err) {
      // Missing, or another user's (root's `.rollout-engine/`, 0700, where this user's index lives
      // in its cache instead): not this user's to append to, so no tail of it is ours to check.
      if (errnoCode(err) === 'ENOENT' || deniesAccess(err)) continue;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size > 0 && (await byteAt(fh, size - 1)) !== 0x0a) torn.push(path);
    } finally {
      await fh.close();
    }
  }
  return torn;
};

// ---- superseded marks ----

const SUPERSEDED_MARK_MODE = 0o600;

/**
 * Write `<file>.superseded` naming the revision that replaced it (`text`: its name relative to
 * the file's folder, so a moved home keeps its marks): replaced atomically and durably (a link at
 * the name is replaced, never written through), so a replayed mark is simply written again;
 * `exclusive` (the export, which never overwrites) creates it, refusing one that is there. The
 * rollout writer holds the file's lock.
 */
export const writeSupersededMark = (root: string, file: string, text: string, options: { readonly exclusive?: boolean } = {}): Promise<void> => {
  const mark = supersededMarkOf(file);
  return options.exclusive === true ? createDurably(root, mark, text, SUPERSEDED_MARK_MODE) : writeFileAtomic(mark, text, { mode: SUPERSEDED_MARK_MODE, root });
};

/**
 * Under the file's lock, before the revision is created: the mark names it. `folder`: the file's
 * folder as the writer holds it (`WriterOptions.home`: named through its handle).
 */
export const markSuperseded = (file: string, revision: string, folder = nodePath.dirname(file)): Promise<void> =>
  writeSupersededMark(folder, nodePath.join(folder, nodePath.basename(file)), nodePath.relative(nodePath.dirname(file), revision));

/** The revision could not be created: the file is current again. */
export const unmarkSuperseded = (file: string, folder = nodePath.dirname(file)): Promise<void> =>
  fs.unlink(supersededMarkOf(nodePath.join(folder, nodePath.basename(file)))).catch(() => undefined);

// ---- where rollout files live: archive, unarchive, delete ----

/** A rollout name's day folder under `sessions/`: `YYYY/MM/DD` from the time in its name (Codex's unarchive puts it back there). */
const dayFolderOf = (home: string, path: string): string | undefined => {
  const name = parseRolloutFileName(nodePath.basename(path));
  if (name === undefined) return undefined;
  const [y, m, d] = name.fileTimestamp.slice(0, 10).split('-');
  return nodePath.join(home, 'sessions', y!, m!, d!);
};

const conflictAt = (path: string): EngineError => rejected(`a rollout file is already at ${path}`);

/**
 * Each move is one `rename` (atomic on one file system, as Codex moves them), then, when `touch`,
 * its modification time set to now; a target that exists is refused, not replaced. `replayed` (a node's copy applying a move again after a kill): a
 * source already gone was moved.
 */
/** Test seam: called once a move's folder (of `path`, either end) is held, before anything moves. */
export type MoveFolderHeld = (path: string) => Promise<void>;

const moveAll = (
  home: string,
  targets: ReadonlyArray<readonly [string, string]>,
  replayed = false,
  touch = false,
  folderHeld?: MoveFolderHeld,
): TE.TaskEither<EngineError, string[]> =>
  TE.tryCatch(
    async () => {
      const out: string[] = [];
      for (const [from, to] of targets) {
        if (replayed && !(await exists(from))) continue;
        // Neither end through a day folder linking out of the home (a file would be moved out, or in).
        for (const p of [from, to]) if (!writesInsideHome(home, p)) throw invalidArgument('path', `${p} is reached through a link out of CODEX_HOME ${home}: refused`);
        // Both folders held by handle from that check to the rename, as the writer holds its own: a
        // day folder swapped for a link meanwhile is refused (LinkRefused), never moved through.
        const source = await holdRolloutFolder(home, from, false, folderHeld);
        try {
          const target = await holdRolloutFolder(home, to, true, folderHeld);
          try {
            const [fromAt, toAt] = [source?.at(nodePath.basename(from)) ?? from, target?.at(nodePath.basename(to)) ?? to];
            if (await exists(toAt)) throw conflictAt(to);
            await fs.rename(fromAt, toAt);
            // Held folders moved away meanwhile (out of the home, a link left in their place): the move is taken back and refused.
            if (!((await source?.stillAt()) ?? true) || !((await target?.stillAt()) ?? true)) {
              await fs.rename(toAt, fromAt).catch(() => undefined);
              throw new LinkRefused(
                nodePath.dirname(to),
                'a day folder of this move is no longer the folder it was when held (moved, or replaced by a link): the move is taken back',
              );
            }
            // Codex's unarchive touches the file it restores: the thread comes back as just updated.
            if (touch) {
              const now = new Date();
              await fs.utimes(toAt, now, now);
            }
          } catch (err) {
            throw target?.named(err) ?? err;
          } finally {
            await target?.close();
          }
        } catch (err) {
          throw source?.named(err) ?? err;
        } finally {
          await source?.close();
        }
        out.push(to);
      }
      return out;
    },
    (err) => toEngineError(targets[0]?.[0] ?? '', 'move rollout')(err),
  );

/** A node's copy moves its file where the store says it now lives (archived, unarchived); applied again after a kill, it is done. */
export const moveRolloutFile = (home: string, from: string, to: string): TE.TaskEither<EngineError, string[]> => moveAll(home, [[from, to]], true);

/** Deleted files (thread/delete): gone, whether they were there or not. */
export const removeRolloutFiles = (paths: ReadonlyArray<string>): TE.TaskEither<EngineError, void> =>
  TE.tryCatch(
    async () => {
      for (const p of paths) await fs.rm(p, { force: true });
    },
    (err) => toEngineError(paths[0] ?? '', 'delete rollout')(err),
  );

const exists = (path: string): Promise<boolean> =>
  fs.lstat(path).then(
    () => true,
    () => false,
  );

/**
 * `work` under the writer locks of `paths` (`<file>.lock`, as appends and revisions take them),
 * taken in one order in every process so two holders of several never wait on each other.
 */
const underWriterLocks =
  <A>(paths: ReadonlyArray<string>, work: TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
  async () => {
    const held: HeldLock[] = [];
    const sorted = [...new Set(paths)].sort();
    try {
      for (const path of sorted) {
        // A missing file's folder may be gone too: no lock is made for it.
        if (!(await exists(path))) return E.left(notFound('rollout file', path));
        held.push(await acquireLock(lockPathFor(path)));
        if (!(await exists(path))) return E.left(notFound('rollout file', path));
      }
      return await work();
    } catch (err) {
      return E.left(toEngineError(sorted[0] ?? '', 'lock rollout')(err));
    } finally {
      for (const lock of held.reverse()) await releaseLock(lock).catch(() => false);
    }
  };

/** Thread management's file operations on a CODEX_HOME, as Codex performs them. */
export const threadHomeFiles = (home: string, folderHeld?: MoveFolderHeld): ThreadHomeFiles => ({
  appendThreadName: (threadId, name, at) => appendThreadName(home, threadId, name, at),
  forgetThreadNames: (threadId) => forgetThreadNames(home, threadId),
  archive: (paths) =>
    moveAll(
      home,
      paths.map((p) => [p, nodePath.join(home, 'archived_sessions', nodePath.basename(p))] as const),
      false,
      false,
      folderHeld,
    ),
  unarchive: (paths) => {
    const targets: Array<readonly [string, string]> = [];
    for (const p of paths) {
      const day = dayFolderOf(home, p);
      if (day === undefined) return TE.left(invalidArgument('path', `not a rollout file name: ${p}`));
      targets.push([p, nodePath.join(day, nodePath.basename(p))]);
    }
    return moveAll(home, targets, false, true, folderHeld);
  },
  remove: removeRolloutFiles,
  underWriterLocks,
});
