// Named crash points for the crash trials: `ROLLOUT_ENGINE_CRASH_AT=<point>[:<n>]` makes the
// process SIGKILL itself the n-th time (default the first) it reaches that point, after saying so
// on stderr. Unset (always, outside the tests), a crash point does nothing. A trial thus kills at a
// named step, not at a random moment. Every point is named once here, in the order a write meets
// them, and `crashPoint` takes no other name.

export const CRASH_AT_ENV = 'ROLLOUT_ENGINE_CRASH_AT';

/**
 * The EventStoreDB follower's (`adapters/driven/eventstore/homeReplica.ts`): a batch of lines before and
 * after it is appended, after the position is saved, and a moved file before and after the move.
 */
export const FOLLOW_CRASH_POINTS = [
  'follow.append.before',
  'follow.append.after',
  'follow.position.saved',
  'follow.move.before',
  'follow.move.after',
] as const;

/**
 * The writers' (`crashSafety.int.spec.ts` kills at each), in the order a write meets them:
 * - a rollout append (`adapters/driven/jsonl/writers/writer.ts`: every line written to a rollout — an append, a
 *   new file written in place, a new file's temp): under the file's lock with its end checked and
 *   nothing written; half the batch written (a write cut short, ending mid-line); every byte
 *   written, not fsynced; fsynced, the lock still held, not yet acknowledged nor indexed;
 * - a new file built aside (`adapters/driven/jsonl/writers/rolloutFiles.ts`: a legacy fork, a revision, a review's
 *   copy): its temp file complete and fsynced, not in place; linked into place, the temp name not
 *   yet removed (a second hard link);
 * - a revision (`writer.ts` `reviseUnderLock`: a paginated rollback, a revert): its base marked
 *   superseded, the revision not created; the revision created, the base's lock still held;
 * - `session_index.jsonl` and the engine's thread-state log (`adapters/driven/jsonl/writers/sessionIndexWriter.ts`, `homeFacts.ts`): under
 *   the log's lock, nothing written; half the line written; fsynced, not acknowledged;
 * - a catch-up (`indexer/catchUp/catchUp.ts`): its files' rows committed, their thread rows not.
 */
export const WRITER_CRASH_POINTS = [
  'rollout.append.before',
  'rollout.append.partial',
  'rollout.append.written',
  'rollout.append.synced',
  'rollout.create.tempWritten',
  'rollout.create.linked',
  'revision.marked',
  'revision.created',
  'sessionIndex.append.before',
  'sessionIndex.append.partial',
  'sessionIndex.append.synced',
  'threadState.append.before',
  'threadState.append.partial',
  'threadState.append.synced',
  'catchUp.filesCommitted',
] as const;

/**
 * A rebuild of the index (`index --rebuild`, a migration's or a re-rooted home's rebuild; killed
 * at each by `leftovers.int.spec.ts`): the fresh environment complete and closed, before the swap;
 * under the index lock, the old environment moved aside, the fresh one not yet in its place; the
 * fresh one in place, the old one not yet removed.
 */
export const REBUILD_CRASH_POINTS = ['rebuild.built', 'rebuild.swap.asideMoved', 'rebuild.swap.freshMoved'] as const;

export type CrashPointName =
  (typeof FOLLOW_CRASH_POINTS)[number] | (typeof WRITER_CRASH_POINTS)[number] | (typeof REBUILD_CRASH_POINTS)[number];

/** What a crash point prints on stderr just before the kill, so a trial can tell it from any other death. */
export const crashedAtLine = (point: string, hit: number): string =>
  `rollout-engine: crash point ${point} (hit ${hit})`;

/** `<point>[:<n>]` from the environment variable `name` (this file's and holdPoint.ts's), null when unset. */
export const namedPointIn = (name: string): { readonly point: string; readonly hit: number } | null => {
  const value = process.env[name];
  if (value === undefined || value === '') return null;
  const [point, hit] = value.split(':');
  const n = hit === undefined ? 1 : Number(hit);
  if (point === undefined || point === '' || !Number.isInteger(n) || n < 1)
    throw new Error(`${name}=${value}: expected <point>[:<n>], n ≥ 1`);
  return { point, hit: n };
};

const wanted = namedPointIn(CRASH_AT_ENV);

let reached = 0;

/** Whether this hit of `point` is the one the environment names (counting the hit). */
const due = (point: CrashPointName): boolean => {
  if (wanted === null || wanted.point !== point) return false;
  reached += 1;
  return reached === wanted.hit;
};

const kill = (point: CrashPointName): void => {
  process.stderr.write(`${crashedAtLine(point, reached)}\n`);
  process.kill(process.pid, 'SIGKILL');
};

/** The step `point` is reached: SIGKILL here if the environment names it (and this is the hit it names). */
export const crashPoint = (point: CrashPointName): void => {
  if (due(point)) kill(point);
};

/**
 * A write of `bytes` is about to be made at `point`: on the hit that kills, part of it is written
 * first (`writePart`, given how many bytes: about half, ending mid-line), so the kill leaves the
 * write cut short as a full disk or a crashed machine would. On every other hit nothing is written
 * here and the caller writes the whole as it always does.
 */
export const crashPointCutShort = async (
  point: CrashPointName,
  bytes: Uint8Array,
  writePart: (length: number) => Promise<unknown>,
): Promise<void> => {
  if (!due(point)) return;
  let length = Math.max(1, Math.floor(bytes.length / 2));
  // Never a prefix of whole lines: a write cut short leaves a line without its newline.
  while (length > 1 && bytes[length - 1] === 0x0a) length -= 1;
  await writePart(length);
  kill(point);
};
