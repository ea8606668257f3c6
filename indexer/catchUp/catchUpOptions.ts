import type { RolloutFile, RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';
import type { QuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import type { TailReaderSource } from '../../adapters/driven/jsonl/readers/tailReader.js';
import type { ProjectionSubset } from '../../projections/all.js';
import type { IndexStore } from '../../domain/ports.js';
import type { Progress } from '../../domain/index/progress.js';
import * as E from 'fp-ts/lib/Either.js';
import { ALL_PROJECTIONS_SUBSET, TOKEN_PROJECTION_SUBSET } from '../../projections/all.js';

/** The projections a catch-up asked so folds. */
export const subsetOf = (options: Pick<CatchUpOptions, 'subset'>): ProjectionSubset =>
  options.subset === 'tokens' ? TOKEN_PROJECTION_SUBSET : ALL_PROJECTIONS_SUBSET;

/**
 * `run` with `options`, whose `onProgress` is told `stopped` (with the last counts told) when the
 * run ends short of `done`, a Left or a throw after it told anything: what bounds the heap or draws
 * a bar by a catch-up's progress (adapters/driving/cli/catchUpHeap.ts, progress.ts) sees each end,
 * in a process that goes on after a failed one (`serve`).
 */
export const tellingStopped =
  <L, A>(
    options: CatchUpOptions,
    run: (options: CatchUpOptions) => () => Promise<E.Either<L, A>>,
  ): (() => Promise<E.Either<L, A>>) =>
  async () => {
    const told = options.onProgress;
    if (told === undefined) return run(options)();
    let last: Progress | undefined;
    let succeeded = false;
    try {
      const r = await run({
        ...options,
        onProgress: (p) => {
          last = p;
          told(p);
        },
      })();
      succeeded = E.isRight(r);
      return r;
    } finally {
      if (!succeeded && last !== undefined && last.stage !== 'done' && last.stage !== 'stopped')
        told({ ...last, stage: 'stopped' });
    }
  };

/** What a catch-up is asked to do, and how it tells its progress. */
export interface CatchUpOptions {
  /** Lines per transaction (checkpoints advance with each). */
  readonly batchLines?: number;
  /** Bytes read per transaction. */
  readonly batchBytes?: number;
  readonly quarantine?: QuarantineSink;
  readonly onProgress?: (p: Progress) => void;
  /**
   * The reader thread a catch-up that reads enough reads its files on (the composition root's, or
   * the CLI's unless `index --no-reader-thread`); absent, every file is read on this thread.
   */
  readonly tailReader?: TailReaderSource;
  /** From how many bytes to read the reader thread is used; default 512 MB. */
  readonly readerThreadFromBytes?: number;
  /**
   * Stops the catch-up between two files (a background backfill when its server closes): what was
   * committed stays, the rest is left for the next run (the catch-up answers Rejected).
   */
  readonly signal?: AbortSignal;
  /** Awaited between two files (a backfill running behind a server lets a request's own catch-up go first). */
  readonly between?: () => Promise<void>;
  /**
   * Told after each committed transaction with the rollout bytes it covered: a one-shot process
   * that indexes one huge file (an import) collects its garbage there (`garbageBound`).
   */
  readonly afterCommit?: (bytes: number) => void;
  /** `all`: redo every thread row even when no file changed and the names are the same (a repair of rows). */
  readonly threadRows?: 'all';
  /**
   * The process ends with its work and watches nothing after (a CLI run): a whole-home catch-up
   * that changed no file takes the last full refresh's stamp of Codex's DB where its files still
   * match it (catchUpThreadRows.ts `asStamped`), rather than reading the DB to compare. A server
   * reads it: its rows are what it follows the DB's next changes by (`followCodexRows`).
   */
  readonly oneShot?: true;
  /**
   * `tokens`: catch up the token projection alone (a `tokens` report), with its own checkpoints
   * (`tokenFiles`), reading only the lines it folds; no thread rows, nothing quarantined (the full
   * catch-up that follows folds the other projections from their checkpoints). Default: every projection.
   */
  readonly subset?: 'tokens';
  /**
   * Told once the catch-up has planned, before it commits a row: the files whose rows it will
   * change (read, rewritten or gone), whose thread rows stay behind them until its end
   * (lazyCatchUp.ts notes them for reads, `behindIn`). Not told when no file changes.
   */
  readonly onPlanned?: (changing: ReadonlySet<string>) => void;
  /**
   * Told the whole home's listing once it is made (each folder timed before its entries), before
   * any file is settled: a token report records the home as that listing found it
   * (indexer/tokens/writeTokenWarmRecord.ts `recordedHome`) instead of listing it again. Not told
   * when `files` are given.
   */
  readonly onHomeListed?: (listing: RolloutHomeListing) => void;
  /** Examine only these files (others keep their rows and checkpoints); default: discover all. */
  readonly files?: ReadonlyArray<RolloutFile>;
  /**
   * `files` are every file a whole-home catch-up would find changed, new or gone (a check that
   * looked at every folder the index recorded: homeAsIndexed.ts `changesSinceRecorded`), or every
   * file of the threads a mutation moved or removed under their writer locks (an archive, an
   * unarchive, a delete: before and after): their thread rows are redone as a whole home's are.
   * With or without it, a given file gone, holding a rollout the index has at another path, or
   * leaving a rollout with no file among them, is settled among every file that can hold that
   * rollout (catchUp.ts `widened`: the files are caught up again with those, then told this).
   */
  readonly everyChange?: true;
  /**
   * Index large catch-ups with worker threads, each opening the LMDB environment at `indexPath`
   * (the store's own path) and committing its own files' transactions.
   */
  readonly workers?: {
    readonly count: number;
    readonly indexPath: string;
    /** Catch-ups reading fewer bytes stay on this thread (a worker costs its start-up); default 32 MB. */
    readonly fromBytes?: number;
  };
}

export type { Progress } from '../../domain/index/progress.js';

/** The store's ports the lean token pass (indexTokenFiles.ts) needs; without them every file goes through the general indexer. */
export type LeanStore = IndexStore & Required<Pick<IndexStore, 'commitAsBuilt'>>;

/** Whether a catch-up takes the lean token pass: the token projection alone, a store that takes writes as built, no worker threads asked for. */
export const takesLeanTokenPass = (
  store: IndexStore,
  options: Pick<CatchUpOptions, 'subset' | 'workers'>,
): store is LeanStore =>
  options.subset === 'tokens' && store.commitAsBuilt !== undefined && (options.workers?.count ?? 1) < 2;
