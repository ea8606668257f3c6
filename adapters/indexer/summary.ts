import type { RolloutFile } from '../jsonl/discover.js';
import type { QuarantineSink } from '../jsonl/quarantine.js';

export interface CatchUpOptions {
  /** Lines per transaction (checkpoints advance with each). */
  readonly batchLines?: number;
  /** Bytes read per transaction. */
  readonly batchBytes?: number;
  readonly quarantine?: QuarantineSink;
  readonly onProgress?: (p: Progress) => void;
  /** Read files on a reader thread when a catch-up reads enough (default: on). */
  readonly readerThread?: boolean;
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
  /** Examine only these files (others keep their rows and checkpoints); default: discover all. */
  readonly files?: ReadonlyArray<RolloutFile>;
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

export interface Progress {
  /** `planned`: the files are probed and what to read is known, nothing read yet; `reading`: a file is done; `done`: the catch-up is complete. */
  readonly stage: 'planned' | 'reading' | 'done';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface CatchUpSummary {
  files: number;
  /** Bytes read from rollout files by this run. */
  bytes: number;
  lines: number;
  /** Lines written to the quarantine sink: unreadable bytes and text lines that do not decode. */
  quarantined: number;
  seconds: number;
  indexed: number;
  tailed: number;
  reindexed: number;
  unchanged: number;
  deleted: number;
  /** Files another indexer was catching up at the same time (it got there first; its rows stand). */
  conflicts: number;
  duplicates: Array<{ rolloutId: string; winner: string; losers: string[] }>;
  /** Files whose session_meta id differs from the id in their name (indexed under the session_meta id). */
  mismatched: Array<{ path: string; nameThreadId: string; metaThreadId: string }>;
  unreadable: Array<{ path: string; reason: string }>;
  /** Worker threads that indexed files (0: this thread did). */
  workers: number;
  /** The files were read on a reader thread (tailReaderThread.ts). */
  readerThread: boolean;
}

export const emptySummary = (): CatchUpSummary => ({
  files: 0,
  bytes: 0,
  lines: 0,
  quarantined: 0,
  seconds: 0,
  indexed: 0,
  tailed: 0,
  reindexed: 0,
  unchanged: 0,
  deleted: 0,
  conflicts: 0,
  duplicates: [],
  mismatched: [],
  unreadable: [],
  workers: 0,
  readerThread: false,
});

/** The counters a part of a catch-up (one worker's files) adds to the whole. */
export const addCounts = (into: CatchUpSummary, part: CatchUpSummary): void => {
  for (const k of ['bytes', 'lines', 'quarantined', 'indexed', 'tailed', 'reindexed', 'unchanged', 'conflicts'] as const) into[k] += part[k];
  into.unreadable.push(...part.unreadable);
};
