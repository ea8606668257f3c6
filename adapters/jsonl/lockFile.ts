import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import { timeout } from '../../domain/errors.js';
import { errnoCode } from './toEngineError.js';

/**
 * An exclusive lock file next to the thread file (`<file>.lock`), created with O_CREAT|O_EXCL so
 * exactly one process (or one call within a process) holds it. The holder's pid, host and a
 * random token are written inside: the token lets a holder release only its own lock, the pid
 * lets waiters break the lock of a dead holder at once (no lease timer to refresh, no waiting for
 * an mtime to age as with mtime-based locks).
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
}

export interface HeldLock {
  readonly lockPath: string;
  readonly token: string;
}

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly acquiredAt: string;
}

const DEFAULTS = { waitMs: 10_000, minBackoffMs: 1, maxBackoffMs: 40, foreignStaleMs: 60_000, unreadableStaleMs: 5_000 };
/** A breaker that died mid-break leaves `<lock>.break`; it is only held for a few syscalls. */
const BREAKER_STALE_MS = 5_000;

export const lockPathFor = (file: string): string => `${file}.lock`;

/**
 * Take the lock or fail: resolves with the held lock, rejects with a Timeout EngineError after
 * `waitMs`, or with the raw fs error (mapped by the caller's toEngineError).
 */
export const acquireLock = async (lockPath: string, options: LockOptions = {}): Promise<HeldLock> => {
  const o = { ...DEFAULTS, ...options };
  const deadline = Date.now() + o.waitMs;
  let backoff = o.minBackoffMs;
  for (;;) {
    const held = await tryCreate(lockPath);
    if (held !== undefined) return held;
    const state = await inspect(lockPath, o);
    if (state.kind === 'gone') continue;
    if (state.kind === 'stale') {
      await breakStale(lockPath, state.raw);
      continue;
    }
    const now = Date.now();
    if (now >= deadline) throw timeout(`lock ${lockPath} (held by ${state.holder})`, o.waitMs);
    await sleep(Math.min(deadline - now, backoff * (0.5 + Math.random())));
    backoff = Math.min(backoff * 2, o.maxBackoffMs);
  }
};

/**
 * Remove the lock if it is still ours. Returns false when it was not (it was broken as stale,
 * which can only happen to a holder judged dead or a foreign-host holder past its age limit).
 */
export const releaseLock = async (lock: HeldLock): Promise<boolean> => {
  let raw: string;
  try {
    raw = await fs.readFile(lock.lockPath, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  if (parse(raw)?.token !== lock.token) return false;
  await fs.unlink(lock.lockPath);
  return true;
};

const tryCreate = async (lockPath: string): Promise<HeldLock | undefined> => {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(lockPath, 'wx', 0o644);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return undefined;
    throw err;
  }
  const content: LockContent = {
    pid: process.pid,
    host: os.hostname(),
    token: randomUUID(),
    acquiredAt: new Date().toISOString(),
  };
  try {
    await fh.writeFile(JSON.stringify(content), 'utf8');
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fs.unlink(lockPath).catch(() => undefined);
    throw err;
  }
  await fh.close();
  return { lockPath, token: content.token };
};

type LockState = { readonly kind: 'gone' } | { readonly kind: 'live'; readonly holder: string } | { readonly kind: 'stale'; readonly raw: string };

const inspect = async (lockPath: string, o: typeof DEFAULTS): Promise<LockState> => {
  let raw: string;
  let ageMs: number;
  try {
    [raw, ageMs] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath).then((s) => Date.now() - s.mtimeMs)]);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'gone' };
    throw err;
  }
  const content = parse(raw);
  if (content === undefined) {
    // Probably a holder between open and write; only a long-unreadable lock is abandoned.
    return ageMs > o.unreadableStaleMs ? { kind: 'stale', raw } : { kind: 'live', holder: 'an unknown process' };
  }
  const holder = `pid ${content.pid} on ${content.host} since ${content.acquiredAt}`;
  if (content.host !== os.hostname()) {
    return ageMs > o.foreignStaleMs ? { kind: 'stale', raw } : { kind: 'live', holder };
  }
  return isAlive(content.pid) ? { kind: 'live', holder } : { kind: 'stale', raw };
};

/**
 * Remove a stale lock without racing other breakers: under a second O_EXCL file, re-read the
 * lock and unlink it only if it is still the stale one we saw (not a fresh lock that replaced
 * it in between — unlinking that would let two writers in).
 */
const breakStale = async (lockPath: string, staleRaw: string): Promise<void> => {
  const breaker = `${lockPath}.break`;
  try {
    await (await fs.open(breaker, 'wx', 0o644)).close();
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    const age = await fs.stat(breaker).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > BREAKER_STALE_MS) await fs.unlink(breaker).catch(() => undefined);
    else await sleep(1);
    return;
  }
  try {
    const now = await fs.readFile(lockPath, 'utf8').catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    });
    if (now === staleRaw) await fs.unlink(lockPath);
  } finally {
    await fs.unlink(breaker).catch(() => undefined);
  }
};

const parse = (raw: string): LockContent | undefined => {
  try {
    const v = JSON.parse(raw) as Partial<LockContent> | null;
    return v !== null && typeof v === 'object' && typeof v.pid === 'number' && typeof v.token === 'string' && typeof v.host === 'string' ? (v as LockContent) : undefined;
  } catch {
    return undefined;
  }
};

/** Signal 0 probes existence: ESRCH = gone; EPERM = exists under another user (alive). */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
