import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { mkdirNoFollow } from '../fs/noFollow.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt, invalidArgument, isEngineError } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { toEngineError } from '../fs/fsError.js';
import type { AllPosition, EventStoreConnection } from './eventStoreClient.js';
import type { EventStoreEventLog } from './eventLog.js';
import { eventStoreError } from './eventStoreError.js';
import { lineMetadataOf } from './lineEvents.js';
import { ROLLOUT_STREAM_PREFIX, confinedRolloutPath, rolloutStreamOf } from './streamNames.js';
import { HOME_CONTROL_STREAM, emptyFold, foldFact, homeFactsInOrder } from './homeControl.js';
import { sessionIndexLine, sessionIndexPath } from '../jsonl/home/sessionIndex.js';
import { supersededMarkOf } from '../jsonl/home/supersededMark.js';
import { createThreadStateLog, threadStateLogPath, writeSupersededMark } from '../jsonl/writers/homeFacts.js';
import { createSessionIndex } from '../jsonl/writers/sessionIndexWriter.js';

export interface ExportSummary {
  readonly files: number;
  readonly lines: number;
  readonly bytes: number;
  /** Lines written to `session_index.jsonl` (the renames still in force after deletes forgot some). */
  readonly nameLines: number;
  /** Events written to the engine's thread-state log. */
  readonly threadStateEvents: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const PAGE = 1024;

/**
 * Every rollout stream and the file it was mirrored from (the path its first line carries), from
 * one paged pass over `$all`, in the order the streams began.
 */
export const listRolloutStreams = async (
  connection: EventStoreConnection,
): Promise<E.Either<EngineError, ReadonlyArray<{ readonly stream: string; readonly file: string }>>> => {
  const found = new Map<string, string>();
  let from: AllPosition | 'start' = 'start';
  let seen: bigint | undefined;
  for (;;) {
    let page: Awaited<ReturnType<EventStoreConnection['readAll']>>;
    try {
      page = await connection.readAll(ROLLOUT_STREAM_PREFIX, from, PAGE);
    } catch (err) {
      return E.left(eventStoreError('$all', 'list streams')(err));
    }
    for (const event of page.events) {
      // A page starts at the last one's position, inclusive: that event was seen.
      if (seen !== undefined && event.position !== undefined && event.position.commit <= seen) continue;
      const meta = lineMetadataOf(event);
      if (
        E.isRight(meta) &&
        meta.right.ordinal === 0 &&
        (meta.right.part ?? 0) === 0 &&
        meta.right.file !== undefined &&
        !found.has(event.stream)
      )
        found.set(event.stream, meta.right.file);
    }
    if (page.count < PAGE || page.last === undefined) break;
    seen = page.last.commit;
    from = page.last;
  }
  return E.right([...found].map(([stream, file]) => ({ stream, file })));
};

type NameLine = { readonly threadId: string; readonly line: string };

/**
 * The control stream, read once: where files live and what is superseded (its fold), and the
 * name lines (less those of forgotten names) and thread-state lines in their order.
 */
const controlStreamOf = async (
  connection: EventStoreConnection,
  outDir: string,
): Promise<{ fold: ReturnType<typeof emptyFold>; nameLines: NameLine[]; stateLines: string[] }> => {
  const fold = emptyFold();
  const nameLines: NameLine[] = [];
  const stateLines: string[] = [];
  try {
    for await (const { fact: f, revision } of homeFactsInOrder(connection)) {
      foldFact(fold, f, revision);
      if (f.kind === 'threadName')
        nameLines.push({
          threadId: f.threadId,
          line: f.line ?? sessionIndexLine(f.threadId, f.name, new Date(f.at)),
        });
      else if (f.kind === 'namesForgotten')
        nameLines.splice(0, nameLines.length, ...nameLines.filter((n) => n.threadId !== f.threadId));
      else if (f.kind === 'threadState') stateLines.push(`${JSON.stringify(f.event)}\n`);
    }
  } catch (err) {
    return stop(isEngineError(err) ? err : toEngineError(outDir, 'export')(err));
  }
  return { fold, nameLines, stateLines };
};

/** Whether `target` exists, once its folder is made under `outDir` (no link followed). */
const folderMadeAndExists = async (outDir: string, target: string): Promise<boolean> => {
  try {
    await mkdirNoFollow(outDir, nodePath.dirname(target), 0o700);
    return await fs.lstat(target).then(
      () => true,
      () => false,
    );
  } catch (err) {
    return stop(toEngineError(target, 'export')(err));
  }
};

/** A stream's stored lines written to `target`, byte for byte (BOM, lines, newlines): the lines and bytes written. */
const writeStreamFile = async (
  log: EventStoreEventLog,
  stream: string,
  outDir: string,
  target: string,
): Promise<{ lines: number; bytes: number }> => {
  let lines = 0;
  let bytes = 0;
  try {
    await writeFileAtomic(
      target,
      async (handle) => {
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        for await (const entry of log.readStored(stream)) {
          if (entry.kind === 'failed') throw entry.error;
          const { line } = entry;
          if (line.bom) pending.push(BOM);
          pending.push(line.bytes, Buffer.from('\n'));
          pendingBytes += line.bytes.length + 1;
          lines += 1;
          bytes += line.bytes.length + 1 + (line.bom ? BOM.length : 0);
          if (pendingBytes > 1 << 20) {
            await handle.write(Buffer.concat(pending));
            pending = [];
            pendingBytes = 0;
          }
        }
        await handle.write(Buffer.concat(pending));
      },
      { mode: 0o600, root: outDir },
    );
  } catch (err) {
    return stop(toEngineError(target, 'export')(err));
  }
  return { lines, bytes };
};

/** A rollout stream written back to the file it names (where it lives now, else where it began): its lines and bytes. */
const exportStream = async (
  log: EventStoreEventLog,
  outDir: string,
  stream: string,
  file: string,
): Promise<{ lines: number; bytes: number }> => {
  const relative = confinedRolloutPath(file, stream);
  if (relative === undefined)
    return stop(
      corrupt(
        stream,
        0,
        `the stream names ${JSON.stringify(file)} as its file: not a rollout path under sessions/ or archived_sessions/`,
      ),
    );
  const target = nodePath.join(outDir, relative);
  if (await folderMadeAndExists(outDir, target))
    return stop(invalidArgument('out', `${target} exists: export never overwrites a file`));
  return writeStreamFile(log, stream, outDir, target);
};

/** The superseded marks the control stream gives, each written next to its rollout (never over a file). */
const exportSupersededMarks = async (outDir: string, superseded: ReadonlyMap<string, string>): Promise<void> => {
  for (const [file, revision] of superseded) {
    const stream = rolloutStreamOf(file);
    const relative = stream === undefined ? undefined : confinedRolloutPath(file, stream);
    if (relative === undefined)
      return stop(
        corrupt(
          HOME_CONTROL_STREAM,
          0,
          `a superseded mark names ${JSON.stringify(file)}: not a rollout path under sessions/ or archived_sessions/`,
        ),
      );
    const rollout = nodePath.join(outDir, relative);
    try {
      await writeSupersededMark(outDir, rollout, revision, { exclusive: true });
    } catch (err) {
      return stop(toEngineError(supersededMarkOf(rollout), 'export')(err));
    }
  }
};

/** Each log is created whole (an export never overwrites), under its lock and durably, by the one writer of home facts. */
const createWhole = async (path: string, lines: number, create: () => Promise<void>): Promise<void> => {
  if (lines === 0) return;
  try {
    await create();
  } catch (err) {
    return stop(toEngineError(path, 'export')(err));
  }
};

/**
 * EventStoreDB → a JSONL home under `outDir`: each rollout stream written back to the path it
 * was mirrored from, byte for byte (its BOM, every line and its newline). A path that would leave
 * the home's rollout folders is Corrupt; a file already there is refused (export never overwrites).
 * The control stream's facts say where each file lives now and give back its superseded marks,
 * `session_index.jsonl` (each rename's line, less those of deleted threads) and the engine's
 * thread-state log.
 */
export const exportHome = (
  connection: EventStoreConnection,
  log: EventStoreEventLog,
  outDir: string,
): TE.TaskEither<EngineError, ExportSummary> =>
  useCase(async () => {
    const streams = await take(listRolloutStreams(connection));
    const { fold, nameLines, stateLines } = await controlStreamOf(connection, outDir);
    let lines = 0;
    let bytes = 0;
    for (const { stream, file: firstFile } of streams) {
      if (fold.removed.has(stream)) continue;
      // Where the file lives now (archived since it was first mirrored, say), else where it began.
      const written = await exportStream(log, outDir, stream, fold.files.get(stream) ?? firstFile);
      lines += written.lines;
      bytes += written.bytes;
    }
    await exportSupersededMarks(outDir, fold.superseded);
    await createWhole(sessionIndexPath(outDir), nameLines.length, () =>
      createSessionIndex(
        outDir,
        nameLines.map((n) => n.line),
      ),
    );
    await createWhole(threadStateLogPath(outDir), stateLines.length, () => createThreadStateLog(outDir, stateLines));
    return {
      files: streams.length,
      lines,
      bytes,
      nameLines: nameLines.length,
      threadStateEvents: stateLines.length,
    };
  });
