import * as nodePath from 'node:path';
import { syncFolder } from '../fs/writeFileAtomic.js';
import { crashPoint } from '../system/crashPoint.js';
import { mkdirNoFollow, openNoFollow } from '../fs/noFollow.js';
import { appendNoFollow } from '../fs/appendNoFollow.js';
import { ROLLOUT_FILE_MODE } from '../jsonl/writers/lockedRolloutFile.js';
import { corrupt } from '../../../domain/errors.js';
import { errnoCode } from '../fs/fsError.js';
import type { AllPosition } from './eventStoreClient.js';
import { confinedRolloutPath } from './streamNames.js';
import type { ReplicaState } from './replicaState.js';
import { writeState } from './replicaState.js';

/**
 * The replica's copy as one follow knows it (homeReplica.ts): its files' sizes, the lines waiting to
 * be appended, and their flush (lines first, then the position that says they were applied).
 */

export interface FollowOptions {
  /** Stop once the subscription has delivered the past (a one-shot catch-up); else follow until `signal`. */
  readonly untilCaughtUp?: boolean;
  readonly signal?: AbortSignal;
  /** Called each time the subscription reports it has caught up (readiness). */
  readonly onCaughtUp?: () => void;
  /** Events between two writes of the buffered lines and the state. */
  readonly flushEvery?: number;
  /** Called after a thread-state event was appended to the node's thread-state log (its index folds it then). */
  readonly onThreadState?: () => void;
  /** Reconnect delays after the subscription drops (doubling up to `maxBackoffMs`). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface FollowSummary {
  readonly events: number;
  readonly lines: number;
  readonly bytes: number;
  readonly skipped: number;
  readonly reconnects: number;
}

/** One follow under way: the replica's state, the copy's files as this process knows them, and the position applied. */
export interface Following {
  readonly home: string;
  readonly state: ReplicaState;
  readonly options: FollowOptions;
  readonly flushEvery: number;
  readonly summary: { -readonly [K in keyof FollowSummary]: FollowSummary[K] };
  /** Per file: its size as this process knows it (whole lines only), and the bytes waiting to be appended. */
  readonly sizes: Map<string, number>;
  readonly pending: Map<string, Buffer[]>;
  readonly pendingBytes: Map<string, number>;
  /** Per stream: the parts of a line whose last part has not come yet. */
  readonly parts: Map<string, Buffer[]>;
  position: AllPosition | undefined;
  sinceFlush: number;
  live: boolean;
  /** Flushes run one after another (the caught-up signal flushes too), and events wait for them. */
  flushing: Promise<void>;
}

export const following = (home: string, state: ReplicaState, options: FollowOptions): Following => ({
  home,
  state,
  options,
  flushEvery: options.flushEvery ?? 2000,
  summary: { events: 0, lines: 0, bytes: 0, skipped: 0, reconnects: 0 },
  sizes: new Map(),
  pending: new Map(),
  pendingBytes: new Map(),
  parts: new Map(),
  position:
    state.position === null
      ? undefined
      : { commit: BigInt(state.position.commit), prepare: BigInt(state.position.prepare) },
  sinceFlush: 0,
  live: false,
  flushing: Promise.resolve(),
});

export const pathOf = (f: Following, file: string, stream: string): string => {
  const relative = confinedRolloutPath(file, stream);
  if (relative === undefined)
    throw corrupt(
      stream,
      0,
      `the stream names ${JSON.stringify(file)} as its file: not a rollout path under sessions/ or archived_sessions/`,
    );
  return nodePath.join(f.home, relative);
};

/** A file's size of whole lines: a tail left by a kill mid-write (no newline) is cut first. */
export const sizeOf = async (f: Following, path: string): Promise<number> => {
  const known = f.sizes.get(path);
  if (known !== undefined) return known;
  let size = 0;
  try {
    const fh = await openNoFollow(f.home, path, 'read');
    const bytes = await fh.readFile().finally(() => fh.close());
    const last = bytes.lastIndexOf(0x0a);
    size = last + 1;
    if (size !== bytes.length) {
      const w = await openNoFollow(f.home, path, 'append', ROLLOUT_FILE_MODE);
      await w.truncate(size).finally(() => w.close());
    }
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  f.sizes.set(path, size);
  return size;
};

export const flush = (f: Following): Promise<void> => (f.flushing = f.flushing.then(() => writePending(f)));

const writePending = async (f: Following): Promise<void> => {
  const { home, state } = f;
  // The lines reach the disk before the position that says they were applied: a power loss
  // after the state write must not leave the copy resuming past lines it never kept.
  for (const [path, buffers] of f.pending) {
    const bytes = Buffer.concat(buffers);
    const created = (f.sizes.get(path) ?? 0) === 0;
    await mkdirNoFollow(home, nodePath.dirname(path), 0o700);
    crashPoint('follow.append.before');
    await appendNoFollow(home, path, bytes, ROLLOUT_FILE_MODE, true);
    crashPoint('follow.append.after');
    if (created) await syncFolder(nodePath.dirname(path));
    f.sizes.set(path, (f.sizes.get(path) ?? 0) + bytes.length);
  }
  f.pending.clear();
  f.pendingBytes.clear();
  f.sinceFlush = 0;
  const position = f.position;
  await writeState(home, {
    ...state,
    position: position === undefined ? null : { commit: String(position.commit), prepare: String(position.prepare) },
  });
  crashPoint('follow.position.saved');
};
