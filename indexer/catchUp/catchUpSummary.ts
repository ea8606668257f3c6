/** What a catch-up reports: its counts, the files it could not index, how it read. */
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
  for (const k of [
    'bytes',
    'lines',
    'quarantined',
    'indexed',
    'tailed',
    'reindexed',
    'unchanged',
    'conflicts',
  ] as const)
    into[k] += part[k];
  into.unreadable.push(...part.unreadable);
};
