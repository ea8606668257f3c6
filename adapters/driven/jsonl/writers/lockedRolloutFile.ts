import * as fs from 'node:fs/promises';
import { constants as FS } from 'node:fs';
import type { Stats } from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import { conflict, corrupt } from '../../../../domain/errors.js';
import type { ExpectedPosition } from '../../../../domain/ports.js';
import { endOfOpenFile, lastNewlineBefore } from '../lines/endPosition.js';
import { lastLineOrdinal } from '../lines/lastLineOrdinal.js';
import type { LockOptions } from '../../fs/lockFile.js';
import type { HeldLock } from '../../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';
import type { QuarantineSink } from './quarantine.js';
import { TORN_TAIL_REASON_PREFIX } from '../lines/lineEntry.js';
import type { TailCache } from '../readers/tailCache.js';
import { errnoCode } from '../../fs/fsError.js';
import { supersededBy } from '../home/supersededMark.js';
import { sweepFolder } from '../home/leftovers.js';
import type { HeldFolder } from '../../fs/heldFolder.js';
import { byteAt, refuseHardLinked } from '../../fs/appendNoFollow.js';
import { takeBackIfMoved } from '../../fs/heldFolder.js';
import { ROLLOUT_DIR_MODE, holdRolloutFolder } from './rolloutFolder.js';
import { ownLikeFolder, ownMadeFolders } from '../../fs/ownership.js';
import { holdPoint } from '../../system/holdPoint.js';

/**
 * A rollout file as the writer finds it under its lock (`underRolloutLock`): its day folder held,
 * the file opened `O_NOFOLLOW` (created with `ROLLOUT_FILE_MODE` when the caller expects no file),
 * one name only, a torn last line refused or cut (`tornTail`), its end found and held against the
 * caller's expected position, a superseded file refused. Appends and revision cuts (`writer.ts`)
 * both run their work inside it; its own file because this is the one check they share.
 */

export interface WriterOptions {
  /** 'always' (default): fdatasync the file (and its folder when created) before acknowledging. */
  readonly fsync?: 'always' | 'never';
  /**
   * A last line without "\n" found under the lock (a writer crashed mid-append):
   * 'refuse' (default) fails with Corrupt; 'truncate' records the partial bytes in `quarantine`
   * and cuts the file back to its last complete line, then appends.
   */
  readonly tornTail?: 'refuse' | 'truncate';
  /** 'truncate': how long a partial last line's bytes must stand still before it counts as torn (default `TORN_STILL_MS`). */
  readonly tornStillMs?: number;
  readonly quarantine?: QuarantineSink;
  readonly lock?: LockOptions;
  readonly tailCache?: TailCache;
  /** Check each raw line is a rollout envelope before appending (default true). */
  readonly validate?: boolean;
  /**
   * The CODEX_HOME the rollouts are in: a file below its `sessions/` or `archived_sessions/` (those
   * followed where they lead, the user's choice) has its day folders held by handle from the check
   * to the write (`holdFolder`), so a folder swapped for a link meanwhile never takes a write out.
   */
  readonly home?: string;
  readonly hooks?: WriterHooks;
}

/** Test seams: the moments at which a day folder swapped for a link must be harmless. */
export interface WriterHooks {
  /** `jsonlRolloutFiles` has checked that a write's folder is inside the home; the write comes next. */
  readonly writeChecked?: (path: string) => Promise<void>;
  /** The writer holds the file's folder by handle; nothing is created in it yet. */
  readonly folderHeld?: (path: string) => Promise<void>;
}

const NL = 0x0a;

/** A live writer's line is written in one go (Codex and ours alike): two seconds without a byte is a writer that is gone. */
export const TORN_STILL_MS = 2_000;

/** The file as a writer finds it under the lock, once its end is checked against the caller's expectation. */
interface Locked {
  readonly fh: fs.FileHandle;
  readonly created: boolean;
  readonly id: { readonly dev: number; readonly ino: number };
  /** Where the next byte goes (a torn tail already cut). */
  readonly size: number;
  /** The file's folder, named through its held handle when there is one. */
  readonly folder: string;
  readonly actual: LogPosition;
  readonly lastOrdinal: () => Promise<number>;
}

/**
 * The file's stat, once it is known to have one name: a rollout with a second hard link may be a
 * file outside the home linked in (or linked out), and an append would write there too. Codex
 * never links rollouts; our own writer's temp link of a killed process is swept first.
 */
const linkedOnce = async (fh: fs.FileHandle, path: string, at: string, created: boolean): Promise<Stats> => {
  const stat = await fh.stat();
  if (created || stat.nlink <= 1) return stat;
  await sweepFolder(nodePath.dirname(at)).catch(() => undefined);
  const again = await fh.stat();
  refuseHardLinked(again, path);
  return again;
};

/**
 * The file's day folder, held by handle when it is below the home (`holdRolloutFolder`); without a
 * held folder, made when the caller expects to create the file. No folder where a file is expected:
 * Conflict (noStream), nothing created.
 */
const folderOfTarget = async (
  path: string,
  expected: ExpectedPosition,
  options: WriterOptions,
): Promise<HeldFolder | undefined> => {
  const creating = expected === 'noStream' || expected === 'any';
  let folder: HeldFolder | undefined;
  try {
    folder = await holdRolloutFolder(options.home, path, creating, options.hooks?.folderHeld);
  } catch (err) {
    // No folder means no file: answer without creating anything.
    if (!creating && errnoCode(err) === 'ENOENT') throw conflict(path, expected, 'noStream');
    throw err;
  }
  if (folder === undefined) {
    if (!creating) {
      const dirExists = await fs.stat(nodePath.dirname(path)).then(
        () => true,
        () => false,
      );
      if (!dirExists) throw conflict(path, expected, 'noStream');
    } else {
      await ownMadeFolders(
        await fs.mkdir(nodePath.dirname(path), { recursive: true, mode: ROLLOUT_DIR_MODE }),
        nodePath.dirname(path),
      );
    }
  }
  return folder;
};

/** Where the open file ends now (`size` its torn tail cut), trusting the caller's ordinal when its byte offset matches. */
const endUnderLock = async (
  fh: fs.FileHandle,
  path: string,
  file: { readonly id: Locked['id']; readonly size: number; readonly created: boolean },
  expected: ExpectedPosition,
  exact: ReturnType<TailCache['exact']>,
  cache: TailCache | undefined,
): Promise<LogPosition> => {
  const { id, size } = file;
  if (file.created || size === 0) return { ordinal: 0, byteOffset: 0 };
  if (exact !== undefined) return exact.end;
  if (expected !== 'noStream' && expected !== 'any' && expected.byteOffset === size) return expected;
  const hint =
    expected !== 'noStream' && expected !== 'any' && expected.byteOffset < size
      ? expected
      : cache?.checkpoint(path, { ...id, size });
  return endOfOpenFile(fh, size, hint);
};

/**
 * Take the file's lock, open it, cut a torn tail (see `handleTornTail`), find where it ends and
 * hold that against `expected` (Conflict), refuse a file a revision has superseded (Conflict
 * naming the revision), then run `work` — still under the lock. Appends and revision cuts both
 * come through here, so two writers that saw the same end cannot both succeed.
 */
export const underRolloutLock = async <A>(
  path: string,
  expected: ExpectedPosition,
  options: WriterOptions,
  work: (locked: Locked) => Promise<A>,
): Promise<A> => {
  const cache = options.tailCache;
  const folder = await folderOfTarget(path, expected, options);
  // Every name in the folder (the file, its lock and mark) through the held handle.
  const at = folder?.at(nodePath.basename(path)) ?? path;
  let lock: HeldLock | undefined;
  let fh: fs.FileHandle | undefined;
  try {
    await holdPoint('rollout.lock.acquiring');
    lock = await acquireLock(lockPathFor(at), options.lock);
    const opened = await openTarget(at, expected);
    fh = opened.fh;
    const stat = await linkedOnce(fh, path, at, opened.created);
    let size = stat.size;
    const id = { dev: stat.dev, ino: stat.ino };
    if (size > 0 && (await byteAt(fh, size - 1)) !== NL) {
      size = await handleTornTail(fh, path, size, options);
    }
    const exact = cache?.exact(path, { ...id, size });
    const actual = await endUnderLock(fh, path, { id, size, created: opened.created }, expected, exact, cache);
    if (expected === 'noStream' && !opened.created) throw conflict(path, 'noStream', actual);
    if (expected !== 'noStream' && expected !== 'any' && !samePosition(expected, actual)) {
      throw conflict(path, expected, actual);
    }
    const revision = opened.created ? undefined : await supersededBy(path, nodePath.dirname(at));
    if (revision !== undefined) throw superseded(path, expected, actual, revision);
    const held = fh;
    const done = await work({
      fh: held,
      created: opened.created,
      id,
      size,
      actual,
      folder: nodePath.dirname(at),
      lastOrdinal: async () => exact?.lastOrdinal ?? (await lastLineOrdinal(held, path, size)),
    });
    if (opened.created) await takeBackIfMoved(folder, path, at);
    return done;
  } catch (err) {
    cache?.forget(path);
    throw folder === undefined ? err : folder.named(err);
  } finally {
    await fh?.close().catch(() => undefined);
    if (lock !== undefined) await releaseLock(lock).catch(() => false);
    await folder?.close().catch(() => undefined);
  }
};

/**
 * Mode of the rollouts the engine creates (their folders': `ROLLOUT_DIR_MODE`): they hold conversation text, so
 * never world- or group-readable, whatever the umask (Codex's own are 0644 under umask 022).
 */
export const ROLLOUT_FILE_MODE = 0o600;

/** A file a revision replaced: its end is no longer the thread's end. */
const superseded = (path: string, expected: ExpectedPosition, actual: LogPosition, revision: string): EngineError =>
  conflict(path, expected === 'noStream' || expected === 'any' ? actual : expected, actual, revision);

/**
 * `noStream` creates with O_EXCL (an existing file is a Conflict); a position needs the file
 * (missing = Conflict against `noStream`); `any` opens or creates. O_APPEND so that even a
 * writer that ignores our lock cannot be overwritten.
 */
const openTarget = async (
  path: string,
  expected: ExpectedPosition,
): Promise<{ readonly fh: fs.FileHandle; readonly created: boolean }> => {
  // Never through a link (ELOOP): a rollout is written only as a regular file of the home.
  const create = async () => {
    const fh = await fs.open(path, FS.O_RDWR | FS.O_APPEND | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, ROLLOUT_FILE_MODE);
    // Its folder's owner, as the home's owner's Codex would have made it (ownership.ts): a rollout root wrote stays the owner's.
    await ownLikeFolder(fh, nodePath.dirname(path)).catch(async (err: unknown) => {
      await fh.close();
      throw err;
    });
    return fh;
  };
  const existing = () => fs.open(path, FS.O_RDWR | FS.O_APPEND | FS.O_NOFOLLOW);
  if (expected === 'noStream') {
    try {
      return { fh: await create(), created: true };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      return { fh: await existing(), created: false };
    }
  }
  try {
    return { fh: await existing(), created: false };
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    if (expected !== 'any') throw conflict(path, expected, 'noStream');
    return { fh: await create(), created: true };
  }
};

/**
 * Never append after a partial line: the new first line would be glued to it. By default refuse;
 * with `tornTail: 'truncate'` (and a sink to keep the bytes) quarantine it and cut it off — but
 * only once it is torn for good. Under our lock no engine writer is mid-line, yet a live Codex
 * appending the same file does not take our lock and may be writing that very line: so a partial
 * line is cut only after its bytes have stood still (size and mtime) for `tornStillMs`. If it is
 * completed meanwhile, nothing is cut and the caller's position check decides. Returns the size
 * to append at.
 */
const handleTornTail = async (
  fh: fs.FileHandle,
  path: string,
  size: number,
  options: WriterOptions,
): Promise<number> => {
  if (options.tornTail !== 'truncate' || options.quarantine === undefined) {
    const start = (await lastNewlineBefore(fh, size)) + 1;
    throw corrupt(
      path,
      start,
      `${TORN_TAIL_REASON_PREFIX} incomplete last line (${size - start} bytes, no newline); refusing to append after it`,
    );
  }
  const stillMs = options.tornStillMs ?? TORN_STILL_MS;
  // Still: the file's mtime is old, or (a clock we cannot trust) we watched it not change for as long.
  let seen = { size, mtimeMs: -1, since: Date.now() };
  for (;;) {
    const st = await fh.stat();
    if (st.size !== seen.size || st.mtimeMs !== seen.mtimeMs)
      seen = { size: st.size, mtimeMs: st.mtimeMs, since: Date.now() };
    if (st.size > 0 && (await byteAt(fh, st.size - 1)) === NL) return st.size;
    const now = Date.now();
    if (now - st.mtimeMs >= stillMs || now - seen.since >= stillMs) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, stillMs)));
  }
  size = seen.size;
  const start = (await lastNewlineBefore(fh, size)) + 1;
  const length = size - start;
  const reason = `${TORN_TAIL_REASON_PREFIX} incomplete last line (${length} bytes, no newline)`;
  const tail = Buffer.allocUnsafe(length);
  await fh.read(tail, 0, length, start);
  const { dev, ino } = await fh.stat();
  const ordinal = (await endOfOpenFile(fh, start, options.tailCache?.checkpoint(path, { dev, ino, size: start })))
    .ordinal;
  const recorded = await options.quarantine.record({
    path,
    ordinal,
    byteOffset: start,
    byteLength: length,
    reason: `${reason}; truncated before append`,
    text: tail.toString('utf8'),
  })();
  if (E.isLeft(recorded)) throw recorded.left; // keep the bytes in the file if they cannot be kept elsewhere
  await fh.truncate(start);
  await fh.datasync();
  return start;
};

const samePosition = (a: LogPosition, b: LogPosition): boolean =>
  a.ordinal === b.ordinal && a.byteOffset === b.byteOffset;
