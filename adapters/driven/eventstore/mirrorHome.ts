import * as fs from 'node:fs/promises';
import { openNoFollow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { corrupt, isEngineError } from '../../../domain/errors.js';
import type { ExpectedPosition } from '../../../domain/ports.js';
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
 * long: not split yet: its isLeft returns are being rewritten into the effect combinators (issue 71), a split now would collide
 */
export const mirrorHome =
  (home: string, connection: EventStoreConnection, log: EventStoreEventLog, options: MirrorOptions = {}): TE.TaskEither<EngineError, MirrorSummary> =>
  async () => {
    const batchLines = options.batchLines ?? 2000;
    const batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    const discovered = await discoverRolloutFiles(home)();
    if (E.isLeft(discovered)) return discovered;
    const refused = discovered.right.filter((f) => f.refused !== undefined).map((f) => ({ path: f.path, reason: f.refused! }));
    const files = discovered.right.filter((f) => f.refused === undefined);
    const sizes: number[] = [];
    for (const f of files) {
      try {
        sizes.push((await fs.stat(f.path)).size);
      } catch (err) {
        return E.left(toEngineError(f.path, 'mirror')(err));
      }
    }
    const bytesTotal = sizes.reduce((a, b) => a + b, 0);
    let bytesDone = 0;
    let linesWritten = 0;
    let bytesWritten = 0;
    let filesChanged = 0;
    const progress = (stage: Progress['stage'], filesDone: number): void => options.onProgress?.({ stage, filesDone, filesTotal: files.length, bytesDone, bytesTotal });
    progress('planned', 0);
    const facts: HomeFact[] = [];
    for (const [i, f] of files.entries()) {
      const stream = rolloutStreamOf(f.path)!;
      const file = nodePath.relative(home, f.path).split(nodePath.sep).join('/');
      facts.push({ kind: 'rolloutFile', stream, file });
      try {
        facts.push({ kind: 'superseded', file, revision: await readTextNoFollow(home, supersededMarkOf(f.path)) });
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') return E.left(toEngineError(supersededMarkOf(f.path), 'mirror')(err));
      }
      const end = await log.end(stream)();
      if (E.isLeft(end)) return end;
      const from = end.right === 'noStream' ? START : end.right;
      if (from.byteOffset > sizes[i]!)
        return E.left(corrupt(f.path, from.byteOffset, `the file is shorter than its stream ${stream} (${sizes[i]} bytes): it does not continue it`));
      // The stream's last line must be the file's bytes at its place: else the file is not the one mirrored.
      const last = end.right === 'noStream' ? E.right(undefined) : await log.lastLine(stream)();
      if (E.isLeft(last)) return last;
      if (last.right !== undefined) {
        const here = Buffer.alloc(last.right.bytes.length);
        try {
          // Without following a link, a FIFO refused (never waited on): the home's own file only.
          const fh = await openNoFollow(home, f.path, 'read');
          await fh.read(here, 0, here.length, last.right.byteOffset).finally(() => fh.close());
        } catch (err) {
          return E.left(toEngineError(f.path, 'mirror')(err));
        }
        if (Buffer.compare(here, last.right.bytes) !== 0)
          return E.left(corrupt(f.path, last.right.byteOffset, `line ${last.right.ordinal} differs from its stream ${stream}: the file is not the one mirrored`));
      }
      let expected: ExpectedPosition = end.right;
      let batch: LineToStore[] = [];
      let batchSize = 0;
      const flush = async (): Promise<E.Either<EngineError, void>> => {
        if (batch.length === 0) return E.right(undefined);
        const written = await log.appendStored(stream, batch, expected)();
        if (E.isLeft(written)) return written;
        expected = written.right.next;
        linesWritten += batch.length;
        bytesWritten += batchSize;
        bytesDone += batchSize;
        batch = [];
        batchSize = 0;
        progress('reading', i);
        return E.right(undefined);
      };
      const before = linesWritten;
      const doneBefore = bytesDone;
      try {
        for await (const chunk of scanLines(f.path, from)) {
          for (const line of chunk) {
            if (line.torn) continue;
            // The scanner's buffers are reused: the batch keeps copies.
            batch.push({ bytes: Buffer.from(line.bytes), ...(line.ordinal === 0 ? { file, ...(line.byteOffset === 3 ? { bom: true } : {}) } : {}) });
            batchSize += line.bytes.length + 1;
            if (batch.length >= batchLines || batchSize >= batchBytes) {
              const flushed = await flush();
              if (E.isLeft(flushed)) return flushed;
            }
          }
        }
      } catch (err) {
        return E.left(err instanceof ScanStartError ? err.error : toEngineError(f.path, 'mirror')(err));
      }
      const flushed = await flush();
      if (E.isLeft(flushed)) return flushed;
      if (linesWritten > before) filesChanged += 1;
      bytesDone = doneBefore + sizes[i]!;
      progress('reading', i + 1);
    }
    // Last: a fact never names a stream that is not there yet.
    const recorded = await recordHomeFacts(connection, facts);
    if (E.isLeft(recorded)) return recorded;
    const states = await mirrorNamesAndThreadState(home, connection);
    if (E.isLeft(states)) return states;
    progress('done', files.length);
    return E.right({
      files: files.length,
      filesChanged,
      linesWritten,
      bytesWritten,
      factsWritten: recorded.right + states.right.written,
      skippedStateLines: states.right.skipped,
      refused,
    });
  };

/** Facts of one append to the control stream (a thread-state log of many events goes in several, each far below the server's limit). */
const FACTS_PER_APPEND = 256;

/**
 * The home's renames and thread-state events as facts, in their files' order, less those the
 * control stream holds already (the same fact: the same line, the same event).
 */
const mirrorNamesAndThreadState = async (home: string, connection: EventStoreConnection): Promise<E.Either<EngineError, { written: number; skipped: number }>> => {
  const names = await sessionIndexEntries(home)();
  if (E.isLeft(names)) return names;
  const logPath = threadStateLogPath(home);
  let logText = '';
  try {
    logText = await readTextNoFollow(home, logPath);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') return E.left(toEngineError(logPath, 'mirror')(err));
  }
  let skipped = names.right.skipped;
  const events = decodeThreadStateLines(logText, () => (skipped += 1)).events;
  const wanted: HomeFact[] = [
    ...names.right.entries.map((e): HomeFact => {
      const rendered = e.at === '' || Number.isNaN(Date.parse(e.at)) ? undefined : sessionIndexLine(e.threadId, e.name, new Date(e.at));
      return { kind: 'threadName', threadId: e.threadId, name: e.name, at: e.at, ...(rendered === e.line ? {} : { line: e.line }) };
    }),
    ...events.map((event): HomeFact => ({ kind: 'threadState', event })),
  ];
  const held = new Set<string>();
  try {
    for await (const { fact: f } of homeFactsInOrder(connection)) if (f.kind === 'threadName' || f.kind === 'threadState') held.add(JSON.stringify(f));
  } catch (err) {
    return E.left(isEngineError(err) ? err : toEngineError(home, 'mirror')(err));
  }
  const fresh = wanted.filter((f) => !held.has(JSON.stringify(f)));
  let written = 0;
  for (let i = 0; i < fresh.length; i += FACTS_PER_APPEND) {
    const r = await recordHomeFacts(connection, fresh.slice(i, i + FACTS_PER_APPEND));
    if (E.isLeft(r)) return r;
    written += r.right;
  }
  return E.right({ written, skipped });
};
