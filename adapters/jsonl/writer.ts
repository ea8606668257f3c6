import * as fs from 'node:fs/promises';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { constants as FS } from 'node:fs';
import type { Stats } from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../domain/errors.js';
import { conflict, corrupt, invalidArgument } from '../../domain/errors.js';
import type { AppendResult, ExpectedPosition } from '../../domain/ports.js';
import { decodeRolloutLine, makeRolloutLine } from '../../domain/rollout/line.js';
import { endOfOpenFile, lastNewlineBefore } from './endPosition.js';
import { lastLineOrdinal } from './lastLineOrdinal.js';
import type { LockOptions } from '../fs/lockFile.js';
import type { HeldLock } from '../fs/lockFile.js';
import { acquireLock, lockPathFor, releaseLock } from '../fs/lockFile.js';
import type { QuarantineSink } from './quarantine.js';
import { TORN_TAIL_REASON_PREFIX } from './lineEntry.js';
import type { TailCache } from './tailCache.js';
import { syncFolder } from '../fs/writeFileAtomic.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import { supersededBy } from './supersededMark.js';
import { markSuperseded, unmarkSuperseded } from './homeFacts.js';
import { sweepFolder } from './leftovers.js';
import type { HeldFolder } from '../fs/heldFolder.js';
import { appendAllOrNothing, byteAt, refuseHardLinked } from '../fs/appendNoFollow.js';
import { takeBackIfMoved } from '../fs/heldFolder.js';
import { ROLLOUT_DIR_MODE, holdRolloutFolder } from './rolloutFolder.js';
import { crashPoint } from '../system/crashPoint.js';

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

export interface NewEvent {
  readonly timestamp: string;
  readonly type: string;
  readonly payload: unknown;
  readonly metadata?: unknown;
}

export interface AppendEventsOptions extends WriterOptions {
  readonly historyMode: HistoryMode;
  /** Paginated only: the first line's `ordinal` in a new or empty file (a fork continues its base). */
  readonly firstOrdinal?: number;
}

export interface AppendEventsResult extends AppendResult {
  /** Paginated only: the `ordinal` field given to the first appended line. */
  readonly firstEventOrdinal: number | undefined;
}

/**
 * Append raw lines to a rollout file as one write, under the file's lock, if its end is where
 * the caller expects (optimistic concurrency): a mismatch is Conflict{expected, actual}.
 *
 * How the end is known without rescanning: under the lock the file size and its last byte are
 * read. If the caller expects {ordinal, byteOffset} with byteOffset == size and the last byte
 * is "\n" (or the file is empty), the file ends exactly where the caller last saw it, so the
 * caller's ordinal is trusted. Only a Conflict (or `any` without a cached tail) counts lines, and
 * then forward from the caller's/cached position, not from the file start.
 */
export const appendLines = (
  path: string,
  lines: ReadonlyArray<string>,
  expected: ExpectedPosition,
  options: WriterOptions = {},
): TE.TaskEither<EngineError, AppendResult> => {
  const invalid = validateExpected(expected) ?? validateLines(lines, options.validate !== false);
  if (invalid !== undefined) return TE.left(invalid);
  return TE.map(({ first, next }: AppendResult): AppendResult => ({ first, next }))(
    appendUnderLock(path, expected, options, async () => ({ lines, firstOrdinal: undefined })),
  );
};

/**
 * Build lines the way Codex writes them (makeRolloutLine: compact JSON, canonical key order) and
 * append them. Paginated files get dense ordinals: the last line's `ordinal` + 1 onwards, read
 * under the lock so concurrent appenders never reuse a number.
 */
export const appendEvents = (
  path: string,
  events: ReadonlyArray<NewEvent>,
  expected: ExpectedPosition,
  options: AppendEventsOptions,
): TE.TaskEither<EngineError, AppendEventsResult> => {
  const invalid = validateExpected(expected) ?? validateEvents(events, options);
  if (invalid !== undefined) return TE.left(invalid);
  return appendUnderLock(path, expected, options, async (tail) => {
    if (options.historyMode === 'legacy') {
      return { lines: events.map((e) => makeRolloutLine(e).raw), firstOrdinal: undefined };
    }
    const first = tail.size === 0 ? (options.firstOrdinal ?? 0) : (await tail.lastOrdinal()) + 1;
    return { lines: events.map((e, i) => makeRolloutLine({ ...e, ordinal: first + i }).raw), firstOrdinal: first };
  });
};

/** The file's state under the lock, as a batch builder sees it. */
interface Tail {
  readonly size: number;
  /** `ordinal` of the last line (paginated); only read when asked for. */
  readonly lastOrdinal: () => Promise<number>;
}

interface Batch {
  readonly lines: ReadonlyArray<string>;
  readonly firstOrdinal: number | undefined;
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
 * Take the file's lock, open it, cut a torn tail (see `handleTornTail`), find where it ends and
 * hold that against `expected` (Conflict), refuse a file a revision has superseded (Conflict
 * naming the revision), then run `work` — still under the lock. Appends and revision cuts both
 * come through here, so two writers that saw the same end cannot both succeed.
 */
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

const underLock = async <A>(path: string, expected: ExpectedPosition, options: WriterOptions, work: (locked: Locked) => Promise<A>): Promise<A> => {
  const cache = options.tailCache;
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
      await fs.mkdir(nodePath.dirname(path), { recursive: true, mode: ROLLOUT_DIR_MODE });
    }
  }
  // Every name in the folder (the file, its lock and mark) through the held handle.
  const at = folder?.at(nodePath.basename(path)) ?? path;
  let lock: HeldLock | undefined;
  let fh: fs.FileHandle | undefined;
  try {
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

    // Where the file ends now, trusting the caller's ordinal when its byte offset matches.
    let actual: LogPosition;
    if (opened.created || size === 0) {
      actual = { ordinal: 0, byteOffset: 0 };
    } else if (exact !== undefined) {
      actual = exact.end;
    } else if (expected !== 'noStream' && expected !== 'any' && expected.byteOffset === size) {
      actual = expected;
    } else {
      const hint = expected !== 'noStream' && expected !== 'any' && expected.byteOffset < size ? expected : cache?.checkpoint(path, { ...id, size });
      actual = await endOfOpenFile(fh, size, hint);
    }
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

const appendUnderLock = (
  path: string,
  expected: ExpectedPosition,
  options: WriterOptions,
  build: (tail: Tail) => Promise<Batch>,
): TE.TaskEither<EngineError, AppendEventsResult> =>
  TE.tryCatch(
    () =>
      underLock(path, expected, options, async ({ fh, created, id, size, actual, folder, lastOrdinal }) => {
        const batch = await build({ size, lastOrdinal });
        const bytes = Buffer.from(batch.lines.join('\n') + '\n', 'utf8');
        crashPoint('rollout.append.before');
        await appendAllOrNothing(fh, bytes, size, 'rollout.append.partial');
        crashPoint('rollout.append.written');
        if (options.fsync !== 'never') {
          await fh.datasync();
          if (created) await syncFolder(folder);
        }
        crashPoint('rollout.append.synced');
        const next = { ordinal: actual.ordinal + batch.lines.length, byteOffset: size + bytes.length };
        options.tailCache?.remember(path, {
          ...id,
          size: next.byteOffset,
          end: next,
          lastOrdinal: batch.firstOrdinal === undefined ? undefined : batch.firstOrdinal + batch.lines.length - 1,
        });
        return { first: actual, next, firstEventOrdinal: batch.firstOrdinal };
      }),
    toEngineError(path, 'append'),
  );

/**
 * Mode of the rollouts the engine creates (their folders': `ROLLOUT_DIR_MODE`): they hold conversation text, so
 * never world- or group-readable, whatever the umask (Codex's own are 0644 under umask 022).
 */
export const ROLLOUT_FILE_MODE = 0o600;

/**
 * Cut a revision of the thread whose current file is `base`: under `base`'s lock, if it still
 * ends at `expected` and no revision superseded it yet, mark it superseded by `revision` and run
 * `create` (which writes the revision file). A concurrent append or revision of `base` therefore
 * gets Conflict, before or after: no acknowledged line above the cut, no sibling revisions.
 */
export const reviseUnderLock = <A>(
  base: string,
  expected: LogPosition,
  revision: string,
  options: WriterOptions,
  create: () => Promise<E.Either<EngineError, A>>,
): TE.TaskEither<EngineError, A> => {
  const invalid = validateExpected(expected);
  if (invalid !== undefined) return TE.left(invalid);
  return TE.tryCatch(
    () =>
      underLock(base, expected, options, async ({ folder }) => {
        await markSuperseded(base, revision, folder);
        crashPoint('revision.marked');
        const created = await create();
        if (E.isLeft(created)) {
          await unmarkSuperseded(base, folder);
          throw created.left;
        }
        crashPoint('revision.created');
        return created.right;
      }),
    toEngineError(base, 'revise'),
  );
};

/** A file a revision replaced: its end is no longer the thread's end. */
const superseded = (path: string, expected: ExpectedPosition, actual: LogPosition, revision: string): EngineError =>
  conflict(path, expected === 'noStream' || expected === 'any' ? actual : expected, actual, revision);

/**
 * `noStream` creates with O_EXCL (an existing file is a Conflict); a position needs the file
 * (missing = Conflict against `noStream`); `any` opens or creates. O_APPEND so that even a
 * writer that ignores our lock cannot be overwritten.
 */
const openTarget = async (path: string, expected: ExpectedPosition): Promise<{ readonly fh: fs.FileHandle; readonly created: boolean }> => {
  // Never through a link (ELOOP): a rollout is written only as a regular file of the home.
  const create = () => fs.open(path, FS.O_RDWR | FS.O_APPEND | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW, ROLLOUT_FILE_MODE);
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
const handleTornTail = async (fh: fs.FileHandle, path: string, size: number, options: WriterOptions): Promise<number> => {
  if (options.tornTail !== 'truncate' || options.quarantine === undefined) {
    const start = (await lastNewlineBefore(fh, size)) + 1;
    throw corrupt(path, start, `${TORN_TAIL_REASON_PREFIX} incomplete last line (${size - start} bytes, no newline); refusing to append after it`);
  }
  const stillMs = options.tornStillMs ?? TORN_STILL_MS;
  // Still: the file's mtime is old, or (a clock we cannot trust) we watched it not change for as long.
  let seen = { size, mtimeMs: -1, since: Date.now() };
  for (;;) {
    const st = await fh.stat();
    if (st.size !== seen.size || st.mtimeMs !== seen.mtimeMs) seen = { size: st.size, mtimeMs: st.mtimeMs, since: Date.now() };
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
  const ordinal = (await endOfOpenFile(fh, start, options.tailCache?.checkpoint(path, { dev, ino, size: start }))).ordinal;
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

const samePosition = (a: LogPosition, b: LogPosition): boolean => a.ordinal === b.ordinal && a.byteOffset === b.byteOffset;

/** An expected position an append can name (also checked by the EventStoreDB log). */
export const validateExpected = (expected: ExpectedPosition): EngineError | undefined => {
  if (expected === 'noStream' || expected === 'any') return undefined;
  const { ordinal, byteOffset } = expected;
  if (!Number.isSafeInteger(ordinal) || ordinal < 0 || !Number.isSafeInteger(byteOffset) || byteOffset < 0)
    return invalidArgument('expected', `position must be non-negative integers, got ${JSON.stringify(expected)}`);
  if ((ordinal === 0) !== (byteOffset === 0)) return invalidArgument('expected', `line ${ordinal} cannot start at byte ${byteOffset}`);
  return undefined;
};

/** Lines an append may write: non-empty, one line each, rollout lines when `classify` (also checked by the EventStoreDB log). */
export const validateLines = (lines: ReadonlyArray<string>, classify: boolean): EngineError | undefined => {
  if (lines.length === 0) return invalidArgument('lines', 'an append needs at least one line');
  for (const [i, line] of lines.entries()) {
    if (line.length === 0) return invalidArgument(`lines[${i}]`, 'empty line');
    if (line.includes('\n')) return invalidArgument(`lines[${i}]`, 'contains a newline');
    if (classify) {
      const d = decodeRolloutLine(line);
      if (E.isLeft(d)) return invalidArgument(`lines[${i}]`, d.left);
    }
  }
  return undefined;
};

const validateEvents = (events: ReadonlyArray<NewEvent>, options: AppendEventsOptions): EngineError | undefined => {
  if (events.length === 0) return invalidArgument('events', 'an append needs at least one event');
  const fo = options.firstOrdinal;
  if (fo !== undefined && (!Number.isSafeInteger(fo) || fo < 0)) return invalidArgument('firstOrdinal', `must be a non-negative integer, got ${fo}`);
  for (const [i, e] of events.entries()) {
    if (typeof e.timestamp !== 'string' || typeof e.type !== 'string') return invalidArgument(`events[${i}]`, 'timestamp and type must be strings');
    if (e.payload === undefined) return invalidArgument(`events[${i}].payload`, 'is required');
  }
  return undefined;
};
