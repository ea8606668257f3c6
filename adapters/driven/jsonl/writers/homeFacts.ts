import * as fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { ThreadStateEvent } from '../../../../domain/threadState/threadStateEvent.js';
import { mkdirNoFollow, openNoFollow } from '../../fs/noFollow.js';
import { readTextNoFollow } from '../../fs/heldRead.js';
import { appendNoFollow, byteAt } from '../../fs/appendNoFollow.js';
import { createNoFollow } from '../../fs/heldFolder.js';
import { syncFolder, writeFileAtomic } from '../../fs/writeFileAtomic.js';
import type { HeldLock, LockOptions } from '../../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import { deniesAccess, errnoCode } from '../../fs/fsError.js';
import { sessionIndexPath } from '../home/sessionIndex.js';
import { supersededMarkOf } from '../home/supersededMark.js';

/**
 * The one writer (this file, `sessionIndexWriter.ts` and `threadHomeFiles.ts`) of CODEX_HOME's
 * facts that are not rollout lines: a thread's name
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
 *
 * Here: the thread-state log's appends, superseded marks, the two logs' torn ends `verify` names,
 * and the create rule (`createDurably`). The name log's writes are `sessionIndexWriter.ts`; moves,
 * deletes and the `ThreadHomeFiles` port, `threadHomeFiles.ts`.
 */

/** A file created (O_EXCL, no link followed) with its content, fsynced with its new name. */
export const createDurably = async (root: string, path: string, content: string, mode: number): Promise<void> => {
  await createNoFollow(root, path, content, mode, true);
  await syncFolder(nodePath.dirname(path));
};

// ---- the engine's thread-state log ----

/** The log names the home's threads and their states: this user's alone, whatever the umask (as the index beside it). */
const THREAD_STATE_LOG_MODE = 0o600;
/** The thread-state log's append steps a crash trial kills at (`adapters/driven/system/crashPoint.ts`). */
const THREAD_STATE_CRASH_POINTS = {
  before: 'threadState.append.before',
  partial: 'threadState.append.partial',
  synced: 'threadState.append.synced',
} as const;
const ENGINE_FOLDER_MODE = 0o700;

/** The log's place: the home's `.rollout-engine/` (beside Codex's own state), whichever index dir reads it, so every index of the home folds the same log. */
export const threadStateLogPath = (codexHome: string): string =>
  nodePath.join(codexHome, '.rollout-engine', 'thread-state.jsonl');

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
    return await work((event) =>
      appendNoFollow(
        home,
        path,
        `${JSON.stringify(event)}\n`,
        THREAD_STATE_LOG_MODE,
        true,
        { stillMs: 0 },
        THREAD_STATE_CRASH_POINTS,
      ),
    );
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
    (_, err) => {
      throw err;
    },
    lock,
  );

/** A new home's thread-state log (the export): created with these lines, never over a file that is there. */
export const createThreadStateLog = (home: string, lines: ReadonlyArray<string>): Promise<void> =>
  underThreadStateLog(
    home,
    () => createDurably(home, threadStateLogPath(home), lines.join(''), THREAD_STATE_LOG_MODE),
    (_, err) => {
      throw err;
    },
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
export const writeSupersededMark = (
  root: string,
  file: string,
  text: string,
  options: { readonly exclusive?: boolean } = {},
): Promise<void> => {
  const mark = supersededMarkOf(file);
  return options.exclusive === true
    ? createDurably(root, mark, text, SUPERSEDED_MARK_MODE)
    : writeFileAtomic(mark, text, { mode: SUPERSEDED_MARK_MODE, root });
};

/**
 * Under the file's lock, before the revision is created: the mark names it. `folder`: the file's
 * folder as the writer holds it (`WriterOptions.home`: named through its handle).
 */
export const markSuperseded = (file: string, revision: string, folder = nodePath.dirname(file)): Promise<void> =>
  writeSupersededMark(
    folder,
    nodePath.join(folder, nodePath.basename(file)),
    nodePath.relative(nodePath.dirname(file), revision),
  );

/**
 * A rollout file moved (archive, unarchive) from `from` to `to` (each named through its held
 * folder, `fromAt` / `toAt`), its lock held: its mark goes with it, naming the revision where it
 * now lies (`movedTo`: where each file of the move went; a revision not moved stays where it is),
 * so the file is still refused to a writer where it lives now. No mark: nothing to do.
 */
export const carrySupersededMark = async (
  from: string,
  fromAt: string,
  to: string,
  toAt: string,
  movedTo: ReadonlyMap<string, string>,
): Promise<void> => {
  const mark = supersededMarkOf(fromAt);
  let named: string;
  try {
    named = (await readTextNoFollow(nodePath.dirname(mark), mark)).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  if (named !== '' && !named.includes('\n')) {
    const revision = nodePath.resolve(nodePath.dirname(from), named);
    const now = movedTo.get(revision) ?? revision;
    await writeSupersededMark(nodePath.dirname(toAt), toAt, nodePath.relative(nodePath.dirname(to), now));
  }
  await fs.unlink(mark).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)));
};

/** The revision could not be created: the file is current again. */
export const unmarkSuperseded = (file: string, folder = nodePath.dirname(file)): Promise<void> =>
  fs.unlink(supersededMarkOf(nodePath.join(folder, nodePath.basename(file)))).catch(() => undefined);
