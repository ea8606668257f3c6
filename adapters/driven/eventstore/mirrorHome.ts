import * as fs from 'node:fs/promises';
import { openNoFollow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { corrupt, isEngineError } from '../../../domain/errors.js';
import type { AppendResult, ExpectedPosition } from '../../../domain/ports.js';
import type { Progress } from '../../../domain/index/progress.js';
import { discoverRolloutFiles } from '../jsonl/home/discover.js';
import { ScanStartError, scanLines } from '../jsonl/lines/lineScanner.js';
import { toEngineError } from '../fs/fsError.js';
import type { EventStoreEventLog } from './eventLog.js';
import type { LineToStore } from './lineEvents.js';
import { rolloutStreamOf } from './streamNames.js';
import type { EventStoreConnection } from './eventStoreClient.js';
import type { HomeFact } from './homeControl.js';
import { homeFactsInOrder, recordHomeFacts } from './homeControl.js';
import { sessionIndexEntries, sessionIndexLine } from '../jsonl/home/sessionIndex.js';
import { decodeThreadStateLines } from '../engineState/threadStateLog.js';
import { threadStateLogPath } from '../jsonl/writers/homeFacts.js';
import { homeRelativePath } from '../fs/insideHome.js';
import { supersededMarkOf } from '../jsonl/home/supersededMark.js';
import { errnoCode } from '../fs/fsError.js';

export interface MirrorOptions {
  readonly onProgress?: (p: Progress) => void;
  /** Lines and bytes of one `appendStored` call (it splits them into requests below the server's limit). */
  readonly batchLines?: number;
  readonly batchBytes?: number;
}

export interface MirrorSummary {
  readonly files: number;
  /** Files with lines the store did not have yet. */
  readonly filesChanged: number;
  readonly linesWritten: number;
  readonly bytesWritten: number;
  /** Home facts (file locations, superseded marks, names, thread state) the control stream did not have yet. */
  readonly factsWritten: number;
  /** Lines of `session_index.jsonl` and of the engine's thread-state log that are not a rename or an event: not mirrored. */
  readonly skippedStateLines: number;
  /** Files discovery refused (links, FIFOs), with the reason: never opened. */
  readonly refused: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

const START: LogPosition = { ordinal: 0, byteOffset: 0 };

/** What a mirror has written so far, and how far it has read (its progress). */
interface MirrorTally {
  linesWritten: number;
  bytesWritten: number;
  bytesDone: number;
  filesChanged: number;
}

/** The files' sizes, a stat each. */
const fileSizesOf = async (files: ReadonlyArray<{ readonly path: string }>): Promise<number[]> => {
  const sizes: number[] = [];
  for (const f of files) {
    try {
      sizes.push((await fs.stat(f.path)).size);
    } catch (err) {
      return stop(toEngineError(f.path, 'mirror')(err));
    }
  }
  return sizes;
};

/** A file's facts for the control stream: where it lives, and its superseded mark when it has one. */
const factsOfFile = async (home: string, path: string, stream: string, file: string): Promise<HomeFact[]> => {
  const facts: HomeFact[] = [{ kind: 'rolloutFile', stream, file }];
  try {
    facts.push({ kind: 'superseded', file, revision: await readTextNoFollow(home, supersededMarkOf(path)) });
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') return stop(toEngineError(supersededMarkOf(path), 'mirror')(err));
  }
  return facts;
};

/**
 * The stream's end, once the file is known to continue it: no shorter than the stream, and the
 * stream's last line the file's bytes at its place (else the file is not the one mirrored: Corrupt).
 */
const streamEndContinued = async (
  home: string,
  log: EventStoreEventLog,
  f: { readonly path: string; readonly stream: string; readonly size: number },
): Promise<LogPosition | 'noStream'> => {
  const { path, stream, size } = f;
  const end = await take(log.end(stream));
  const from = end === 'noStream' ? START : end;
  if (from.byteOffset > size)
    return stop(
      corrupt(
        path,
        from.byteOffset,
        `the file is shorter than its stream ${stream} (${size} bytes): it does not continue it`,
      ),
    );
  const last = end === 'noStream' ? undefined : await take(log.lastLine(stream));
  if (last === undefined) return end;
  const here = Buffer.alloc(last.bytes.length);
  try {
    // Without following a link, a FIFO refused (never waited on): the home's own file only.
    const fh = await openNoFollow(home, path, 'read');
    await fh.read(here, 0, here.length, last.byteOffset).finally(() => fh.close());
  } catch (err) {
    return stop(toEngineError(path, 'mirror')(err));
  }
  if (Buffer.compare(here, last.bytes) !== 0)
    return stop(
      corrupt(
        path,
        last.byteOffset,
        `line ${last.ordinal} differs from its stream ${stream}: the file is not the one mirrored`,
      ),
    );
  return end;
};

interface LineBatch {
  readonly lines: LineToStore[];
  readonly bytes: number;
}

/**
 * The file's whole lines from `from` (a torn last one left for the next run), in batches of
 * `batchLines` lines or `batchBytes` bytes, the last one maybe empty. The scan's own failures stop
 * the use case here; an append that fails while a batch is out ends the scan and stops as it is.
 */
async function* lineBatchesOf(
  path: string,
  file: string,
  from: LogPosition,
  limits: { readonly batchLines: number; readonly batchBytes: number },
): AsyncGenerator<LineBatch> {
  let lines: LineToStore[] = [];
  let bytes = 0;
  try {
    for await (const chunk of scanLines(path, from)) {
      for (const line of chunk) {
        if (line.torn) continue;
        // The scanner's buffers are reused: the batch keeps copies.
        lines.push({
          bytes: Buffer.from(line.bytes),
          ...(line.ordinal === 0 ? { file, ...(line.byteOffset === 3 ? { bom: true } : {}) } : {}),
        });
        bytes += line.bytes.length + 1;
        if (lines.length >= limits.batchLines || bytes >= limits.batchBytes) {
          yield { lines, bytes };
          lines = [];
          bytes = 0;
        }
      }
    }
  } catch (err) {
    return stop(err instanceof ScanStartError ? err.error : toEngineError(path, 'mirror')(err));
  }
  yield { lines, bytes };
}

/** The file's lines its stream does not hold yet, appended batch by batch after the stream's `end`. */
const appendMissingLines = async (
  log: EventStoreEventLog,
  f: { readonly path: string; readonly stream: string; readonly file: string; readonly end: LogPosition | 'noStream' },
  limits: { readonly batchLines: number; readonly batchBytes: number },
  tally: MirrorTally,
  appended: () => void,
): Promise<void> => {
  let expected: ExpectedPosition = f.end;
  for await (const batch of lineBatchesOf(f.path, f.file, f.end === 'noStream' ? START : f.end, limits)) {
    if (batch.lines.length === 0) continue;
    const written: AppendResult = await take(log.appendStored(f.stream, batch.lines, expected));
    expected = written.next;
    tally.linesWritten += batch.lines.length;
    tally.bytesWritten += batch.bytes;
    tally.bytesDone += batch.bytes;
    appended();
  }
};

/**
 * JSONL → EventStoreDB: each rollout file's whole lines that its stream does not hold yet, in
 * order, with the file's exact bytes (undecodable lines and a BOM kept). Resumable and idempotent:
 * a stream's end says where its file is read from, so a re-run (or a run after a killed one)
 * writes only what is missing; a line still being written (no newline yet) waits for the next run.
 * A file that does not continue its stream there (rewritten, shorter) is Corrupt. Then the home's
 * facts that are not lines go to the control stream: where each file lives, superseded marks, the
 * renames of `session_index.jsonl` (each line's exact text) and the events of the engine's
 * thread-state log (read receipts, stored git info), in order; those the stream holds already
 * (an earlier run) are not written again.
 */
export const mirrorHome = (
  home: string,
  connection: EventStoreConnection,
  log: EventStoreEventLog,
  options: MirrorOptions = {},
): TE.TaskEither<EngineError, MirrorSummary> =>
  useCase(async () => {
    const limits = { batchLines: options.batchLines ?? 2000, batchBytes: options.batchBytes ?? 4 * 1024 * 1024 };
    const discovered = await take(discoverRolloutFiles(home));
    const refused = discovered
      .filter((f) => f.refused !== undefined)
      .map((f) => ({ path: f.path, reason: f.refused! }));
    const files = discovered.filter((f) => f.refused === undefined);
    const sizes = await fileSizesOf(files);
    const bytesTotal = sizes.reduce((a, b) => a + b, 0);
    const tally: MirrorTally = { linesWritten: 0, bytesWritten: 0, bytesDone: 0, filesChanged: 0 };
    const progress = (stage: Progress['stage'], filesDone: number): void =>
      options.onProgress?.({ stage, filesDone, filesTotal: files.length, bytesDone: tally.bytesDone, bytesTotal });
    progress('planned', 0);
    const facts: HomeFact[] = [];
    for (const [i, f] of files.entries()) {
      const stream = rolloutStreamOf(f.path)!;
      const file = homeRelativePath(home, f.path);
      facts.push(...(await factsOfFile(home, f.path, stream, file)));
      const end = await streamEndContinued(home, log, { path: f.path, stream, size: sizes[i]! });
      const before = tally.linesWritten;
      const doneBefore = tally.bytesDone;
      await appendMissingLines(log, { path: f.path, stream, file, end }, limits, tally, () => progress('reading', i));
      if (tally.linesWritten > before) tally.filesChanged += 1;
      tally.bytesDone = doneBefore + sizes[i]!;
      progress('reading', i + 1);
    }
    // Last: a fact never names a stream that is not there yet.
    const recorded = await take(recordHomeFacts(connection, facts));
    const states = await take(mirrorNamesAndThreadState(home, connection));
    progress('done', files.length);
    return {
      files: files.length,
      filesChanged: tally.filesChanged,
      linesWritten: tally.linesWritten,
      bytesWritten: tally.bytesWritten,
      factsWritten: recorded + states.written,
      skippedStateLines: states.skipped,
      refused,
    };
  });

/** Facts of one append to the control stream (a thread-state log of many events goes in several, each far below the server's limit). */
const FACTS_PER_APPEND = 256;

/**
 * The home's renames and thread-state events as facts, in their files' order, less those the
 * control stream holds already (the same fact: the same line, the same event).
 */
const mirrorNamesAndThreadState = (
  home: string,
  connection: EventStoreConnection,
): Promise<E.Either<EngineError, { written: number; skipped: number }>> =>
  useCase(async () => {
    const names = await take(sessionIndexEntries(home));
    const logPath = threadStateLogPath(home);
    let logText = '';
    try {
      logText = await readTextNoFollow(home, logPath);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') return stop(toEngineError(logPath, 'mirror')(err));
    }
    let skipped = names.skipped;
    const events = decodeThreadStateLines(logText, () => (skipped += 1)).events;
    const wanted: HomeFact[] = [
      ...names.entries.map((e): HomeFact => {
        const rendered =
          e.at === '' || Number.isNaN(Date.parse(e.at))
            ? undefined
            : sessionIndexLine(e.threadId, e.name, new Date(e.at));
        return {
          kind: 'threadName',
          threadId: e.threadId,
          name: e.name,
          at: e.at,
          ...(rendered === e.line ? {} : { line: e.line }),
        };
      }),
      ...events.map((event): HomeFact => ({ kind: 'threadState', event })),
    ];
    const held = new Set<string>();
    try {
      for await (const { fact: f } of homeFactsInOrder(connection))
        if (f.kind === 'threadName' || f.kind === 'threadState') held.add(JSON.stringify(f));
    } catch (err) {
      return stop(isEngineError(err) ? err : toEngineError(home, 'mirror')(err));
    }
    const fresh = wanted.filter((f) => !held.has(JSON.stringify(f)));
    let written = 0;
    for (let i = 0; i < fresh.length; i += FACTS_PER_APPEND) {
      written += await take(recordHomeFacts(connection, fresh.slice(i, i + FACTS_PER_APPEND)));
    }
    return { written, skipped };
  })();
