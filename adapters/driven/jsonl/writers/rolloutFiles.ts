import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { syncFolder, tempPathBeside } from '../../fs/writeFileAtomic.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import { stop, take, takeNow, useCase } from '../../../../domain/effect.js';
import { conflict, corrupt, decodeError, invalidArgument, ioError, notFound } from '../../../../domain/errors.js';
import type { AppendResult, EventLog, HistoryEntry, RolloutFiles } from '../../../../domain/ports.js';
import { decodeRolloutLine } from '../../../../domain/rollout/line.js';
import type { RolloutLine } from '../../../../domain/rollout/line.js';
import { readRolloutLines } from '../readers/rolloutLines.js';
import { sweepFolder } from '../home/leftovers.js';
import { firstEntry } from '../lines/firstEntry.js';
import { jsonlEventLog } from '../eventLog.js';
import { formatRolloutFileName, parseRolloutFileName, sessionDayParts } from '../home/rolloutFileName.js';
import { errnoCode, isPermissionDenied, refusingPartOf, toEngineError } from '../../fs/fsError.js';
import { isInsideHome, outsideHome, writesInsideHome } from '../../fs/insideHome.js';
import type { WriterOptions } from './lockedRolloutFile.js';
import { appendEvents, appendLines, reviseUnderLock } from './writer.js';
import { holdRolloutFolder } from './rolloutFolder.js';
import { takeBackIfMoved } from '../../fs/heldFolder.js';
import type { HeldFolder } from '../../fs/heldFolder.js';
import { crashPoint } from '../../system/crashPoint.js';
import { acquireLock, lockPathFor, releaseLock } from '../../fs/lockFile.js';

/** The folders of a home that hold rollout files. */
const ROLLOUT_DIRS = ['sessions', 'archived_sessions'] as const;

/** Lines per write when a streamed file is built (bounded memory for large legacy copies). */
const STREAM_BATCH_BYTES = 8 << 20;

/**
 * The rollout files of a CODEX_HOME, as the mutation use cases read and write them. New files and
 * single-line reads go through the home's event log (a stream is a file path); appends that
 * continue paginated ordinals and streamed copies use the locked writer directly.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const jsonlRolloutFiles = (
  home: string,
  options: WriterOptions = {},
  log: EventLog = jsonlEventLog({ ...options, home }),
): RolloutFiles => {
  // The writer holds the day folders of this home's rollouts by handle (`WriterOptions.home`).
  const writer: WriterOptions = { ...options, home };
  const firstLine =
    (path: string): TE.TaskEither<EngineError, RolloutLine> =>
    () =>
      firstEntry(path, readRolloutLines({ path, rolloutId: '' }), 'empty rollout: no first line');

  const createFrom =
    (path: string, lines: AsyncIterable<string>): TE.TaskEither<EngineError, AppendResult> =>
    async () => {
      // Every name in the folder (the temp file, the link into place) through its held handle.
      let folder: HeldFolder | undefined;
      try {
        folder = await holdRolloutFolder(writer.home, path, true, writer.hooks?.folderHeld);
      } catch (err) {
        return E.left(toEngineError(path, 'create')(err));
      }
      try {
        const created = await createIn(path, folder?.at(nodePath.basename(path)) ?? path, folder, lines);
        return folder === undefined ? created : E.mapLeft((e: EngineError) => folder.named(e) as EngineError)(created);
      } finally {
        await folder?.close().catch(() => undefined);
      }
    };

  const createIn = async (
    path: string,
    at: string,
    folder: HeldFolder | undefined,
    lines: AsyncIterable<string>,
  ): Promise<E.Either<EngineError, AppendResult>> => {
    // Built under a name discovery ignores, then linked into place: never a half-written thread.
    // Named after this process (leftovers.ts): what a killed writer left here before is swept first.
    await sweepFolder(nodePath.dirname(at)).catch(() => undefined);
    const temp = tempPathBeside(at);
    let expected: LogPosition | 'noStream' = 'noStream';
    let first: LogPosition | undefined;
    let batch: string[] = [];
    let bytes = 0;
    // Run inside the use case below: a failed append stops it.
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const r = await appendLines(temp, batch, expected, { ...writer, validate: false })();
      batch = [];
      bytes = 0;
      const appended = takeNow(r);
      first ??= appended.first;
      expected = appended.next;
    };
    try {
      // Its own use case: what it throws (not a stop) is the create's io error, below.
      return await useCase(async (): Promise<AppendResult> => {
        for await (const line of lines) {
          batch.push(line);
          bytes += line.length;
          if (bytes >= STREAM_BATCH_BYTES) await flush();
        }
        await flush();
        if (expected === 'noStream') return stop(corrupt(path, 0, 'a new rollout needs at least one line'));
        crashPoint('rollout.create.tempWritten');
        try {
          await fs.link(temp, at);
        } catch (err) {
          if (errnoCode(err) === 'EEXIST') return stop(conflict(path, 'noStream', { ordinal: 0, byteOffset: 0 }));
          throw err;
        }
        crashPoint('rollout.create.linked');
        // The temp's name goes at once: while it stays, the file has two hard links, and another
        // process's append (appendNoFollow.ts refuseHardLinked) refuses it (a rollback racing a
        // rollback, mutationRaces.int, met it once in 100 trials while this waited for the folder's sync).
        await fs.unlink(temp).catch(() => undefined);
        await takeBackIfMoved(folder, path, at);
        if (options.fsync !== 'never') await syncFolder(nodePath.dirname(at));
        return { first: first ?? { ordinal: 0, byteOffset: 0 }, next: expected };
      })();
    } catch (err) {
      return E.left(toEngineError(path, 'create')(err));
    } finally {
      await fs.unlink(temp).catch(() => undefined);
    }
  };

  const confine =
    (given: string): TE.TaskEither<EngineError, string> =>
    async () => {
      const refuse = (reason: string) => E.left(invalidArgument('path', `${reason}: ${given}`));
      if (given.split(/[\\/]/).includes('..')) return refuse('a rollout path may not contain ".."');
      const absolute = nodePath.resolve(home, given);
      if (parseRolloutFileName(nodePath.basename(absolute)) === undefined) return refuse('not a rollout file name');
      let real: string;
      let roots: string[];
      try {
        real = await fs.realpath(absolute);
        roots = await Promise.all(
          ROLLOUT_DIRS.map((d) => fs.realpath(nodePath.join(home, d)).catch(() => nodePath.join(home, d))),
        );
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return E.left(notFound('rollout file', given));
        return E.left(toEngineError(given, 'realpath')(err));
      }
      const at = roots.findIndex((root) => real.startsWith(root + nodePath.sep));
      if (at < 0) return refuse('not a rollout file of this CODEX_HOME (sessions/ or archived_sessions/)');
      if (parseRolloutFileName(nodePath.basename(real)) === undefined)
        return refuse('links to a file that is not a rollout');
      // Named under the home as given, as discovery names it: one index key per file, inside the home
      // even when the home is reached through a link.
      return E.right(nodePath.join(home, ROLLOUT_DIRS[at]!, nodePath.relative(roots[at]!, real)));
    };

  // Second line of defence (the first: the index is re-rooted for the home it is opened with):
  // a path outside this home is refused, whatever hands it over.
  const insideHome = <A>(path: string, use: () => TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
    isInsideHome(home, path) ? use() : TE.left(outsideHome(home, path));
  // A write also checks the folders on disk: a day folder that links out of the home is refused.
  // (The writer then holds the folder by handle from its own check to the write: a link swapped in after this check takes nothing out.)
  const writesInside = <A>(path: string, use: () => TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
    insideHome(path, () => {
      if (!writesInsideHome(home, path))
        return TE.left(invalidArgument('path', `${path} is reached through a link out of CODEX_HOME ${home}: refused`));
      return useCase(async () => {
        await take(TE.tryCatch(async () => options.hooks?.writeChecked?.(path), toEngineError(path, 'write')));
        return take(use());
      });
    });

  // A home this user may read but not write (someone else's, audited): a mutation says so, of the file it meant to write.
  const writeError =
    (path: string) =>
    (e: EngineError): EngineError => {
      if (e._tag === 'Io' && e.code === 'ELOOP')
        return invalidArgument(
          'path',
          `${e.path} is a symbolic link or not a regular file: a rollout (and its lock and marks) is written only as a regular file of CODEX_HOME, never through a link`,
        );
      if (isPermissionDenied(e)) {
        // The home as a whole (someone else's, audited), or one folder or file in it (today's day folder of mode 000).
        const refusing = refusingPartOf(home, path);
        return ioError(
          path,
          e.op,
          e.code,
          refusing === home
            ? `CODEX_HOME ${home} is not writable by this user: reads work, a mutation needs write access`
            : refusing === undefined
              ? `${path} could not be written by this user (${e.code})`
              : `${refusing} in CODEX_HOME ${home} is not writable by this user (its mode or owner): a mutation there needs write access`,
        );
      }
      return e;
    };
  const writing = <A>(path: string, te: TE.TaskEither<EngineError, A>): TE.TaskEither<EngineError, A> =>
    TE.mapLeft(writeError(path))(te);

  return {
    confine,
    // An archived thread's revisions lie flat beside its files in archived_sessions/, as Codex keeps
    // them (codex-rs/thread-store/src/local/unarchive_thread.rs moves them back from there): written
    // under sessions/, the revision would list the thread as active again.
    pathFor: (at, threadId, revisionId, base) =>
      base !== undefined && isInsideHome(nodePath.join(home, 'archived_sessions'), base)
        ? nodePath.join(home, 'archived_sessions', formatRolloutFileName(at, threadId, revisionId))
        : nodePath.join(home, 'sessions', ...sessionDayParts(at), formatRolloutFileName(at, threadId, revisionId)),
    firstLine: (path) => insideHome(path, () => firstLine(path)),
    lineAt: (path, byteOffset, byteLength) =>
      insideHome(path, () => {
        const read = log.readRange(path, byteOffset, byteLength);
        return useCase(async () => {
          const line = decodeRolloutLine(await take(read));
          return take(E.mapLeft((reason: string) => decodeError(path, -1, byteOffset, reason))(line));
        });
      }),
    linesBefore: (path, endByteOffset) =>
      isInsideHome(home, path)
        ? readRolloutLines({ path, rolloutId: '', endByteOffset })
        : refusedLines(outsideHome(home, path)),
    create: (path, lines) => writesInside(path, () => writing(path, log.append(path, lines, 'noStream'))),
    createFrom: (path, lines) => writesInside(path, () => writing(path, createFrom(path, lines))),
    revise: (base, expected, path, lines) =>
      writesInside(base, () =>
        writesInside(path, () =>
          writing(
            path,
            reviseUnderLock(base, expected, path, writer, () => createFrom(path, linesOf(lines))()),
          ),
        ),
      ),
    append: (path, drafts, expected, mode) =>
      writesInside(path, () => {
        const appending = appendEvents(path, drafts, expected, { ...writer, historyMode: mode });
        return writing(
          path,
          useCase(async (): Promise<AppendResult> => {
            // The two positions only (the writer's answer carries more).
            const { first, next } = await take(appending);
            return { first, next };
          }),
        );
      }),
    appendRaw: (path, lines, expected) =>
      insideHome(path, () => writing(path, appendLines(path, lines, expected, writer))),
    awaitWriter: (path) => insideHome(path, () => awaitWriter(path)),
  };
};

/** Takes and lets go of `path`'s writer lock (the lock a move holds); a folder gone with the file has no writer to wait for. */
const awaitWriter =
  (path: string): TE.TaskEither<EngineError, void> =>
  async () => {
    try {
      await releaseLock(await acquireLock(lockPathFor(path)));
      return E.right(undefined);
    } catch (err) {
      return errnoCode(err) === 'ENOENT' ? E.right(undefined) : E.left(toEngineError(path, 'await writer')(err));
    }
  };

/** Whole lines as the stream `createFrom` takes (a revision appears only once complete). */
async function* linesOf(lines: ReadonlyArray<string>): AsyncGenerator<string> {
  yield* lines;
}

/** A read that was refused: the stream ends with its error, as a failed read does. */
async function* refusedLines(error: EngineError): AsyncGenerator<HistoryEntry> {
  yield { kind: 'failed', error };
}
