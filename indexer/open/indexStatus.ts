import type { EngineError } from '../../domain/errors.js';
import type { GateVerdict, Lease } from './backfillGate.js';
import type { CatchUpOptions, Progress } from '../catchUp/catchUpOptions.js';
import type { ThreadFilesIndexed } from '../reads/threadFiles.js';
import type { IndexLockWait } from './openIndex.js';

/**
 * What a catch-up is for: `build` the first index of a home (the backfill gate's), `rebuild` a
 * fresh environment (`index --rebuild`, a schema that cannot be migrated in place), `catchUp`
 * any later catch-up (new bytes of some or all files).
 */
export type IndexWork = 'build' | 'rebuild' | 'catchUp';

/**
 * The long work opening and using a home can do, as it happens: the CLI turns it into status
 * lines and progress bars on stderr (`adapters/driving/cli/progress.ts`); tests and benches may leave it out.
 */
export type IndexStatus =
  | { readonly kind: 'indexing'; readonly work: IndexWork; readonly home: string; readonly progress: Progress }
  /** Another process holds the backfill lease: this one waits for its build, `waitMs` at most. */
  | { readonly kind: 'waiting'; readonly home: string; readonly holder: Lease | undefined; readonly waitMs: number }
  /** Another process holds the index dir's lock (it is rebuilding or swapping the index): this one waits for it, `waitMs` at most. */
  | { readonly kind: 'waitingForIndexLock'; readonly home: string; readonly lockPath: string; readonly waitMs: number }
  /** The wait is over: `index` the other process finished (or its lease was taken over), `files` it did not in time. */
  | { readonly kind: 'waited'; readonly home: string; readonly verdict: GateVerdict }
  /**
   * A thread asked for before the home was indexed was indexed on its own (its files only); the
   * rest of the home is being indexed behind it (`serve`), or will be when a command needs it.
   */
  | {
      readonly kind: 'threadIndexed';
      readonly home: string;
      readonly indexed: ThreadFilesIndexed;
      readonly rest: 'behind' | 'later';
    }
  /** The home's thread-state log is not readable by this user (another user's `.rollout-engine/`): answers go without read receipts and stored git info. Told once per open. */
  | { readonly kind: 'threadStateUnreadable'; readonly home: string; readonly error: EngineError }
  /** The home-wide backfill running behind `serve` stopped with an error: threads go on being indexed as they are asked for. */
  | { readonly kind: 'backfillFailed'; readonly home: string; readonly error: EngineError };

export type OnIndexStatus = (s: IndexStatus) => void;

/** The index-lock wait as a status, for `openIndex`'s `onIndexLockWait`. */
export const indexLockWaitStatus = (
  onStatus: OnIndexStatus | undefined,
  home: string,
): { onIndexLockWait?: IndexLockWait } =>
  onStatus === undefined
    ? {}
    : { onIndexLockWait: (lockPath, waitMs) => onStatus({ kind: 'waitingForIndexLock', home, lockPath, waitMs }) };

/** `options` whose catch-ups also tell `onStatus` of their progress, as `work` on `home`. */
export const reportingTo = <O extends CatchUpOptions>(
  options: O,
  onStatus: OnIndexStatus | undefined,
  work: IndexWork,
  home: string,
): O => {
  if (onStatus === undefined) return options;
  const inner = options.onProgress;
  return {
    ...options,
    onProgress: (progress: Progress) => {
      inner?.(progress);
      onStatus({ kind: 'indexing', work, home, progress });
    },
  };
};

/**
 * The backfill gate's side of the status: `gate` holds the gate option that tells `onStatus` when
 * this process starts waiting for another's build; `passed` tells it the wait is over (if there was one).
 */
export const gateStatus = (
  onStatus: OnIndexStatus | undefined,
  home: string,
): {
  readonly gate: { onWait?: (holder: Lease | undefined, waitMs: number) => void };
  readonly passed: (verdict: GateVerdict) => void;
} => {
  let waited = false;
  return {
    gate:
      onStatus === undefined
        ? {}
        : {
            onWait: (holder, waitMs) => {
              waited = true;
              onStatus({ kind: 'waiting', home, holder, waitMs });
            },
          },
    passed: (verdict) => {
      if (waited) onStatus?.({ kind: 'waited', home, verdict });
    },
  };
};
