import * as fs from 'node:fs/promises';
import * as fsSync from 'node:fs';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { timeout } from '../../../domain/errors.js';
import type { ProcessMark } from '../system/processIdentity.js';
import { thisProcess, whereabouts } from '../system/processIdentity.js';
import { errnoCode } from './fsError.js';
import { createExclusiveNoFollowSync, openNoFollow } from './noFollow.js';
import { readTextBelowSync, readTextNoFollow } from './heldRead.js';
import * as nodePath from 'node:path';
import { parseJson } from '../../../domain/jsonNesting.js';

/**
 * An exclusive lock file next to the thread file (`<file>.lock`), created with O_CREAT|O_EXCL so
 * exactly one process (or one call within a process) holds it. The holder's mark (pid, host, boot
 * id, process start time) and a random token are written inside: the token lets a holder release
 * only its own lock, the mark lets waiters break the lock of a dead holder at once — also when
 * its pid now belongs to an unrelated process (pid reuse) or the machine rebooted since.
 *
 * The rule for a holder that cannot be asked (README, "Locks"): a lock is held for one write, so
 * a lock from another host is stale once it is `foreignStaleMs` old, and a lock without readable
 * content (its holder was killed between create and write) once it is `unreadableStaleMs` old.
 * Ages are read from the mtime, or — for a file from the future — from when this process first
 * saw it (`lockFileAgeMs`), so every wait ends within `waitMs`.
 */
export interface LockOptions {
  /** Total time to wait for the lock before failing with Timeout. */
  readonly waitMs?: number;
  /** Backoff between attempts: exponential from min to max, with jitter. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** A lock from another host (pid unknowable) counts as stale after this age. */
  readonly foreignStaleMs?: number;
  /** A lock with unreadable content (holder died between create and write) counts as stale after this age. */
  readonly unreadableStaleMs?: number;
  /** Told each time an attempt finds the lock held by a live holder (named as in a Timeout), before it waits or times out. */
  readonly onHeld?: (holder: string) => void;
  /** The clocks and the wait between attempts (the system's unless a test scripts them). */
  readonly clock?: LockClock;
}

/**
 * What a lock wait reads time from: the wall clock (compared with file mtimes), the monotonic
 * clock (deadlines and first sightings: a wall clock stepped back cannot stretch a wait), and the
 * wait between attempts. A test passes a virtual one, so its verdicts count attempts and virtual
 * milliseconds instead of depending on how busy the machine is.
 */
export interface LockClock {
  readonly wallMs: () => number;
  readonly monotonicMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
export const SYSTEM_LOCK_CLOCK: LockClock = { wallMs: () => Date.now(), monotonicMs: () => performance.now(), sleep };

export interface HeldLock {
  readonly lockPath: string;
  readonly token: string;
}

interface LockContent extends ProcessMark {
  readonly token: string;
  readonly acquiredAt: string;
}

/** The documented expiries (README, "Locks"): a write under the lock takes milliseconds, so these are generous bounds, not guesses at a holder's work. */
export const LOCK_DEFAULTS = {
  waitMs: 10_000,
  minBackoffMs: 1,
  maxBackoffMs: 40,
  foreignStaleMs: 5_000,
  unreadableStaleMs: 500,
};
const DEFAULTS = { ...LOCK_DEFAULTS, clock: SYSTEM_LOCK_CLOCK };
/** A breaker that died mid-break leaves `<lock>.break`; it is only held for a few syscalls. */
const BREAKER_STALE_MS = 1_000;

export const lockPathFor = (file: string): string => `${file}.lock`;

/** When each clock first saw each lock or breaker file whose mtime lay ahead of it (its monotonic ms), by path. */
const firstSeenBy = new WeakMap<LockClock, Map<string, { readonly file: string; readonly atMs: number }>>();
/** Bounds the memory of a long-running process; an entry dropped early only restarts that file's age. */
const FIRST_SEEN_LIMIT = 4_096;

/**
 * How old a lock or breaker file is: by its mtime, unless that lies ahead of this clock (the clock
 * was stepped back, or another host's clock runs ahead, NFS): such a file would never grow old by
 * its mtime, so it is as old as the time since this process first saw that very file (inode and
 * mtime), on the monotonic clock.
 */
export const lockFileAgeMs = (
  path: string,
  stat: { readonly ino: number; readonly mtimeMs: number },
  clock: LockClock = SYSTEM_LOCK_CLOCK,
): number => {
  let firstSeen = firstSeenBy.get(clock);
  if (firstSeen === undefined) firstSeenBy.set(clock, (firstSeen = new Map()));
  const byMtime = clock.wallMs() - stat.mtimeMs;
  if (byMtime >= 0) {
    firstSeen.delete(path);
    return byMtime;
  }
  const file = `${stat.ino}:${stat.mtimeMs}`;
  const now = clock.monotonicMs();
  const seen = firstSeen.get(path);
  if (seen !== undefined && seen.file === file) return now - seen.atMs;
  if (firstSeen.size >= FIRST_SEEN_LIMIT) firstSeen.delete(firstSeen.keys().next().value!);
  firstSeen.set(path, { file, atMs: now });
  return 0;
};

/** A lock's and a breaker's mode, whatever the umask: readable by all (who holds it), written by its holder only. */
const LOCK_FILE_MODE = 0o644;

/** A lock's content, read without following a link planted at its name (refused: ELOOP). */
const readLock = (lockPath: string): Promise<string> => readTextNoFollow(nodePath.dirname(lockPath), lockPath);

/**
 * Take the lock or fail: resolves with the held lock, rejects with a Timeout EngineError after
 * `waitMs`, or with the raw fs error (mapped by the caller's toEngineError).
 */
export const acquireLock = async (lockPath: string, options: LockOptions = {}): Promise<HeldLock> => {
  const o = { ...DEFAULTS, ...options };
  // The monotonic clock: a wall clock stepped back cannot stretch the wait.
  const deadline = o.clock.monotonicMs() + o.waitMs;
  let backoff = o.minBackoffMs;
  for (;;) {
    const held = tryCreate(lockPath);
    if (held !== undefined) return held;
    const state = await inspect(lockPath, o);
    if (state.kind === 'gone') continue;
    if (state.kind === 'stale' && (await breakStale(lockPath, state.raw, o.clock)) === 'broken') continue;
    // A live holder, or a stale one whose breaker another process holds: wait, within the bound.
    if (state.kind === 'live') o.onHeld?.(state.holder);
    const now = o.clock.monotonicMs();
    if (now >= deadline)
      throw timeout(
        `lock ${lockPath} (${state.kind === 'live' ? `held by ${state.holder}` : `stale, its breaker ${lockPath}.break held`})`,
        o.waitMs,
      );
    await o.clock.sleep(Math.min(deadline - now, backoff * (0.5 + Math.random())));
    backoff = Math.min(backoff * 2, o.maxBackoffMs);
  }
};

/**
 * Remove the lock if it is still ours. Returns false when it was not (it was broken as stale,
 * which can only happen to a holder judged dead or a foreign-host holder past its age limit).
 */
export const releaseLock = async (lock: HeldLock): Promise<boolean> => {
  // At once, as the lock was taken (`tryCreate`): a read and an unlink of a tiny cached file.
  let raw: string;
  try {
    raw = readTextBelowSync(nodePath.dirname(lock.lockPath), lock.lockPath);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  if (parse(raw)?.token !== lock.token) return false;
  fsSync.unlinkSync(lock.lockPath);
  return true;
};

/**
 * The lock made, written and closed at once (`createExclusiveNoFollowSync`): a writer takes a lock and lets
 * it go on each append, and under load each trip through the thread pool waits a turn of the event
 * loop (a dozen trips a lock made an append of `rollout/append` take 0.4 s beside 64 busy clients).
 */
const tryCreate = (lockPath: string): HeldLock | undefined => {
  let fd: number;
  try {
    fd = createExclusiveNoFollowSync(nodePath.dirname(lockPath), lockPath, LOCK_FILE_MODE);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return undefined;
    throw err;
  }
  const content: LockContent = {
    ...thisProcess(),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  try {
    fsSync.writeFileSync(fd, JSON.stringify(content), 'utf8');
  } catch (err) {
    fsSync.closeSync(fd);
    try {
      fsSync.unlinkSync(lockPath);
    } catch {
      // Gone already: nothing of ours is left.
    }
    throw err;
  }
  fsSync.closeSync(fd);
  return { lockPath, token: content.token };
};

/**
 * Remove a lock whose holder is judged gone by the same rule a waiting writer applies (a sweep of
 * leftovers: locks of files nobody writes again would otherwise stay). True when it was removed.
 */
export const removeStaleLock = async (lockPath: string, options: LockOptions = {}): Promise<boolean> => {
  const state = await inspect(lockPath, { ...DEFAULTS, ...options });
  if (state.kind !== 'stale') return false;
  return (await breakStale(lockPath, state.raw, options.clock ?? SYSTEM_LOCK_CLOCK)) === 'broken';
};

/** A breaker's file left by a process killed while breaking, once older than the breaker's bound. */
export const isAbandonedBreaker = (ageMs: number): boolean => ageMs > BREAKER_STALE_MS;

type LockState =
  | { readonly kind: 'gone' }
  | { readonly kind: 'live'; readonly holder: string }
  | { readonly kind: 'stale'; readonly raw: string };

const inspect = async (lockPath: string, o: typeof DEFAULTS): Promise<LockState> => {
  let raw: string;
  let stat: { readonly ino: number; readonly mtimeMs: number };
  try {
    [raw, stat] = await Promise.all([readLock(lockPath), fs.lstat(lockPath)]);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'gone' };
    throw err;
  }
  const { mtimeMs } = stat;
  const ageMs = lockFileAgeMs(lockPath, stat, o.clock);
  const content = parse(raw);
  if (content === undefined) {
    // A holder between open and write takes microseconds; a lock unreadable for longer was abandoned.
    return ageMs > o.unreadableStaleMs ? { kind: 'stale', raw } : { kind: 'live', holder: 'an unknown process' };
  }
  const holder = `pid ${content.pid} on ${content.host} since ${content.acquiredAt}`;
  switch (whereabouts(content, mtimeMs)) {
    case 'alive':
      return { kind: 'live', holder };
    case 'gone':
      return { kind: 'stale', raw };
    case 'elsewhere':
      return ageMs > o.foreignStaleMs ? { kind: 'stale', raw } : { kind: 'live', holder };
  }
};

/**
 * Remove a stale lock without racing other breakers: under a second O_EXCL file, re-read the
 * lock and unlink it only if it is still the stale one we saw (not a fresh lock that replaced
 * it in between — unlinking that would let two writers in). `'broken'`: the stale lock is gone
 * (or was replaced), try again at once; `'busy'`: another breaker is at work, wait before the next look.
 */
const breakStale = async (lockPath: string, staleRaw: string, clock: LockClock): Promise<'broken' | 'busy'> => {
  const breaker = `${lockPath}.break`;
  try {
    await (await openNoFollow(nodePath.dirname(breaker), breaker, 'create-exclusive', LOCK_FILE_MODE)).close();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    const age = await fs.lstat(breaker).then(
      (s) => lockFileAgeMs(breaker, s, clock),
      () => 0,
    );
    if (!isAbandonedBreaker(age)) return 'busy';
    await fs.unlink(breaker).catch(() => undefined);
    return 'broken';
  }
  try {
    const now = await readLock(lockPath).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    });
    if (now === staleRaw) await fs.unlink(lockPath);
  } finally {
    await fs.unlink(breaker).catch(() => undefined);
  }
  return 'broken';
};

const parse = (raw: string): LockContent | undefined => {
  try {
    const v = parseJson(raw) as Partial<LockContent> | null;
    return v !== null &&
      typeof v === 'object' &&
      typeof v.pid === 'number' &&
      typeof v.token === 'string' &&
      typeof v.host === 'string'
      ? (v as LockContent)
      : undefined;
  } catch {
    return undefined;
  }
};
