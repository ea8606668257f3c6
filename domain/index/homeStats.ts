import * as t from 'io-ts';
import type { FileCheckpoint, IndexWrite, TableName } from './rows.js';
import { holdsRows } from './rows.js';
import { packDoubles, packedDoubles, unpackDoubles } from './packedDoubles.js';

/**
 * The stats of a home's rollout files and folders as the index last saw them all: written by a
 * whole-home catch-up once its checkpoints are committed, so a process starting later can tell,
 * with one stat per file and per folder, whether a catch-up would change anything — without
 * reading every checkpoint and listing every folder (indexer/catchUp/homeAsIndexed.ts). Kept in `meta`
 * under `HOME_STATS_KEY`; any write to the checkpoints drops it (`movesCheckpoints`), so while it is
 * there no checkpoint moved since it was taken.
 */
export const HOME_STATS_KEY = ['homeStats'] as const;

/** A write to these tables moves a checkpoint: what was taken before (the home's stats, the backfill's part) no longer vouches for the index (the stores drop it in the same transaction). */
export const movesCheckpoints = (table: TableName): boolean => table === 'files' || table === 'tokenFiles';

/**
 * Where a home without a Codex state DB keeps the digest of the rows Codex's backfill would write
 * from its files, as the checkpoints gave them (indexer/catchUp/threadRowFacts.ts
 * `BackfilledPart`): like the home's stats, true only while no checkpoint moved, so dropped with them.
 */
export const BACKFILLED_PART_KEY = ['threadBackfilledPart'] as const;

/** The writes that drop what only unmoved checkpoints vouch for: the home's stats and the backfill's part. */
export const DROP_CHECKPOINT_VOUCHED: ReadonlyArray<IndexWrite> = [
  { op: 'del', table: 'meta', key: [...HOME_STATS_KEY] },
  { op: 'del', table: 'meta', key: [...BACKFILLED_PART_KEY] },
];

/** `writes`, and the drop of what unmoved checkpoints vouch for when one of them moves a checkpoint (a store committing a batch whole). */
export const withCheckpointVouchedDropped = (writes: ReadonlyArray<IndexWrite>): ReadonlyArray<IndexWrite> =>
  writes.some((w) => movesCheckpoints(w.table)) ? [...writes, ...DROP_CHECKPOINT_VOUCHED] : writes;

/** One file's stats in a folder's `stats`: size, mtime and ctime (ms), as its checkpoint holds them. */
const STAT_FIELDS = 3;

/** A folder's file stats: `STAT_FIELDS` doubles a file, as bytes (one value to decode, not thousands of numbers). */
const StatBytes = packedDoubles('StatBytes', STAT_FIELDS);

const HomeStatsFolder = t.type({
  path: t.string,
  /** Its mtime when listed; null when too close to the listing to vouch that no entry came after in the same clock tick. */
  mtimeMs: t.union([t.number, t.null]),
  ctimeMs: t.number,
  /** Its rollout files' names, one a line. */
  names: t.string,
  /** `STAT_FIELDS` doubles per name; a size below 0: a file a stat alone cannot settle (`RecordedStat`: -1 a probe, -2 the whole home). */
  stats: StatBytes,
});
export type HomeStatsFolder = t.TypeOf<typeof HomeStatsFolder>;

export const HomeStats = t.type({
  /** Every folder listed (`sessions/` and each folder below, `archived_sessions/`). */
  folders: t.array(HomeStatsFolder),
  /** The roots that were not there. */
  absent: t.array(t.string),
});
export type HomeStats = t.TypeOf<typeof HomeStats>;

/** A listed rollout folder: its path, its times when listed (mtime null: too recent to vouch), its rollout files' paths. */
export interface ListedFolder {
  readonly path: string;
  readonly mtimeMs: number | null;
  readonly ctimeMs: number;
  readonly files: ReadonlyArray<string>;
}

/** What a stat is compared with: the checkpoint's fields `statOnlyProbe` (adapters/driven/jsonl/readers/probe.ts) compares. */
export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * A recorded file as the check takes it (indexer/catchUp/homeAsIndexed.ts): the stats one stat is
 * compared with; `probe`: a file a stat alone cannot settle and a probe of it can (no checkpoint,
 * unreadable, upcast: its identity is read from its first line each time), given to the catch-up
 * at every check; `wholeHome`: one of two files claiming one rollout whose winner names another
 * thread, whose winner only a whole-home catch-up elects (the other may be any file of the home).
 */
export type RecordedStat = FileStat | 'probe' | 'wholeHome';

const PROBE_SIZE = -1;
const WHOLE_HOME_SIZE = -2;

/** A file's fields as recorded: its checkpoint's size, mtime and ctime, or where a stat cannot settle it the size that says why (`RecordedStat`). */
export type RecordedFields = readonly [number, number, number];

/** The fields recorded for a file with checkpoint `cp` (undefined: none), `checkpointOf` giving a duplicate's winner's. */
export const recordedFieldsOf = (
  cp: FileCheckpoint | undefined,
  checkpointOf: (path: string) => FileCheckpoint | undefined,
): RecordedFields => {
  const settled =
    cp !== undefined && cp.upcastFrom === null && (holdsRows(cp) || duplicateOfItsThread(cp, checkpointOf));
  if (settled) return [cp.size, cp.mtimeMs, cp.ctimeMs];
  return [cp !== undefined && cp.duplicateOf !== null ? WHOLE_HOME_SIZE : PROBE_SIZE, 0, 0];
};

/** The stats of listed folders, each file's fields as `fieldsOf` gives them. */
export const homeStatsFrom = (
  folders: ReadonlyArray<ListedFolder>,
  absent: ReadonlyArray<string>,
  fieldsOf: (path: string) => RecordedFields,
): HomeStats => ({
  folders: folders.map((f) => {
    const stats = new Float64Array(f.files.length * STAT_FIELDS);
    f.files.forEach((path, i) => stats.set(fieldsOf(path), i * STAT_FIELDS));
    const names = f.files.map((path) => path.slice(f.path.length + 1)).join('\n');
    return { path: f.path, mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs, names, stats: packDoubles(stats) };
  }),
  absent: [...absent],
});

/** The stats of listed folders, each file's from its checkpoint (`checkpointOf`), as `RecordedStat` takes them. */
export const homeStatsOf = (
  folders: ReadonlyArray<ListedFolder>,
  absent: ReadonlyArray<string>,
  checkpointOf: (path: string) => FileCheckpoint | undefined,
): HomeStats => homeStatsFrom(folders, absent, (path) => recordedFieldsOf(checkpointOf(path), checkpointOf));

/**
 * A duplicate whose winner names the same thread: a catch-up of changed files settles its
 * rollout's winner among the thread's files (indexer/catchUp/catchUp.ts `widened`), so a stat
 * settles it as it does a file holding rows. Another (a revision id claimed by two threads' files)
 * is the whole home's question.
 */
const duplicateOfItsThread = (
  cp: FileCheckpoint,
  checkpointOf: (path: string) => FileCheckpoint | undefined,
): boolean => {
  if (cp.duplicateOf === null || cp.error !== null || cp.rolloutId === null || cp.threadId === null) return false;
  const winner = checkpointOf(cp.duplicateOf);
  return winner !== undefined && winner.rolloutId === cp.rolloutId && winner.threadId === cp.threadId;
};

/** A folder's recorded files: their names, and each one's `RecordedStat`. */
export const recordedFilesOf = (
  folder: HomeStatsFolder,
): { readonly names: ReadonlyArray<string>; readonly statOf: (i: number) => RecordedStat } => {
  const names = folder.names === '' ? [] : folder.names.split('\n');
  const stats = unpackDoubles(folder.stats, names.length, STAT_FIELDS);
  return {
    names,
    statOf: (i) => {
      const size = stats[i * STAT_FIELDS]!;
      if (size === PROBE_SIZE) return 'probe';
      // Any other size below 0 (none other is written) is taken as the strictest.
      if (size < 0) return 'wholeHome';
      return { size, mtimeMs: stats[i * STAT_FIELDS + 1]!, ctimeMs: stats[i * STAT_FIELDS + 2]! };
    },
  };
};

/**
 * What a check of the home against its recorded stats found to record again once the files it
 * named are caught up: the folders listed again (with their times then), the folders gone, and
 * the roots not there now.
 */
export interface FoldersAgain {
  readonly folders: ReadonlyArray<ListedFolder>;
  readonly goneFolders: ReadonlyArray<string>;
  readonly absent: ReadonlyArray<string>;
}

/**
 * `stats` with `again` recorded (each file's stats from its checkpoint, as `homeStatsOf` takes
 * them): a folder already recorded is replaced in place, a new one added, a gone one dropped, and
 * the absent roots are those now. What a catch-up of the few files a check found changed records
 * (indexer/catchUp/homeAsIndexed.ts), instead of every checkpoint of the home read again.
 */
export const withFoldersRecorded = (
  stats: HomeStats,
  again: FoldersAgain,
  checkpointOf: (path: string) => FileCheckpoint | undefined,
): HomeStats => {
  const listed = new Map(homeStatsOf(again.folders, [], checkpointOf).folders.map((f) => [f.path, f]));
  const gone = new Set(again.goneFolders);
  const kept = stats.folders.flatMap((f) => {
    if (gone.has(f.path)) return [];
    const now = listed.get(f.path);
    listed.delete(f.path);
    return [now ?? f];
  });
  return { folders: [...kept, ...listed.values()], absent: [...again.absent] };
};
