import type { HistoryMode } from '../../../../domain/rollout/historyMode.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import { take, useCase } from '../../../../domain/effect.js';
import { invalidArgument } from '../../../../domain/errors.js';
import type { AppendResult, ExpectedPosition } from '../../../../domain/ports.js';
import { decodeRolloutLine, makeRolloutLine } from '../../../../domain/rollout/line.js';
import { JsonTooDeep, nestedDeeperThan } from '../../../../domain/jsonNesting.js';
import { syncFolder } from '../../fs/writeFileAtomic.js';
import { toEngineError } from '../../fs/fsError.js';
import { markSuperseded, unmarkSuperseded } from './homeFacts.js';
import { appendAllOrNothing } from '../../fs/appendNoFollow.js';
import type { WriterOptions } from './lockedRolloutFile.js';
import { underRolloutLock } from './lockedRolloutFile.js';
import { crashPoint } from '../../system/crashPoint.js';
import { holdPoint } from '../../system/holdPoint.js';

/**
 * The rollout writer: lines appended in Codex's format as one write under the file's lock at the
 * position the caller expects (`appendLines`, `appendEvents`: fsync policy, dense ordinals), a
 * revision cut under the base file's lock (`reviseUnderLock`), and what an append may be asked to
 * write (`validateExpected`, `validateLines`). The locked file they share: `lockedRolloutFile.ts`.
 */

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
  const appending = appendUnderLock(path, expected, options, async () => ({ lines, firstOrdinal: undefined }));
  return useCase(async (): Promise<AppendResult> => {
    // The two positions only (the writer's answer carries more).
    const { first, next } = await take(appending);
    return { first, next };
  });
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

const appendUnderLock = (
  path: string,
  expected: ExpectedPosition,
  options: WriterOptions,
  build: (tail: Tail) => Promise<Batch>,
): TE.TaskEither<EngineError, AppendEventsResult> =>
  TE.tryCatch(
    () =>
      underRolloutLock(path, expected, options, async ({ fh, created, id, size, actual, folder, lastOrdinal }) => {
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
    async () => {
      const done = await underRolloutLock(base, expected, options, async ({ folder }) => {
        await markSuperseded(base, revision, folder);
        crashPoint('revision.marked');
        await holdPoint('revision.marked');
        const created = await create();
        if (E.isLeft(created)) {
          await unmarkSuperseded(base, folder);
          throw created.left;
        }
        crashPoint('revision.created');
        return created.right;
      });
      await holdPoint('revision.unlocked');
      return done;
    },
    toEngineError(base, 'revise'),
  );
};

/** An expected position an append can name (also checked by the EventStoreDB log). */
export const validateExpected = (expected: ExpectedPosition): EngineError | undefined => {
  if (expected === 'noStream' || expected === 'any') return undefined;
  const { ordinal, byteOffset } = expected;
  if (!Number.isSafeInteger(ordinal) || ordinal < 0 || !Number.isSafeInteger(byteOffset) || byteOffset < 0)
    return invalidArgument('expected', `position must be non-negative integers, got ${JSON.stringify(expected)}`);
  if ((ordinal === 0) !== (byteOffset === 0))
    return invalidArgument('expected', `line ${ordinal} cannot start at byte ${byteOffset}`);
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
  if (fo !== undefined && (!Number.isSafeInteger(fo) || fo < 0))
    return invalidArgument('firstOrdinal', `must be a non-negative integer, got ${fo}`);
  for (const [i, e] of events.entries()) {
    if (typeof e.timestamp !== 'string' || typeof e.type !== 'string')
      return invalidArgument(`events[${i}]`, 'timestamp and type must be strings');
    if (e.payload === undefined) return invalidArgument(`events[${i}].payload`, 'is required');
    // A value a request carried within the bound can sit deeper in the line built around it: such
    // a line would be written and then quarantined by every reader (Codex's too), so it is refused.
    const tooDeep = nestedDeeperThan(makeRolloutLine(e).raw);
    if (tooDeep >= 0) return invalidArgument(`events[${i}]`, new JsonTooDeep(tooDeep).message);
  }
  return undefined;
};
