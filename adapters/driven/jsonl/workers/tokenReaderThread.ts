import { Worker } from 'node:worker_threads';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import { ioError } from '../../../../domain/errors.js';
import { unpackTokenLines } from './packedTokenLines.js';
import type { PackedTokenLines } from './packedTokenLines.js';
import { ScanStartError } from '../lines/lineScanner.js';
import type { TailBytes, TokenFileToRead, TokenReaderThreadSource, TokenTail } from '../readers/tokenLines.js';

/**
 * The lean token pass's reads on a thread of their own (tokenReadWorker.ts): the worker reads the
 * files with `TokenLines` (the same lines in the same reads as on the indexing thread, their
 * fields read from the bytes: projections/tokenLineFields.ts) and hashes each read's checkpoint
 * bytes, while this thread folds, writes and commits. The files are given in the order they will
 * be folded; the worker reads them in that order, at most `AHEAD_BYTES` of file ahead of what this
 * thread has taken, so memory stays bounded whatever the file sizes. What arrives is what this
 * thread would have read itself, so the transactions, their checks and their checkpoints are
 * those of a pass that reads here.
 */

/** Bytes of file the worker may have read but this thread not yet taken. */
const AHEAD_BYTES = 24 << 20;
/**
 * Bytes of file read ahead that a transaction waits for before it opens (unless the worker has
 * read everything): a transaction is committed when the read it would fold next has not arrived,
 * and each commit costs milliseconds, so one is not opened for a read or two.
 */
const TRANSACTION_BYTES = 8 << 20;
/** Taken bytes are told the worker once they add up to this share of its window (or when this thread waits). */
const TAKEN_SHARE = 8;

export type ToTokenReadWorker =
  | { readonly kind: 'files'; readonly files: ReadonlyArray<TokenFileToRead> }
  | { readonly kind: 'cancel'; readonly id: number }
  | { readonly kind: 'taken'; readonly bytes: number }
  | { readonly kind: 'close' };

/** How a file's read failed: an EngineError as is (a start off a line start), or an OS error by its message and errno code. */
export type TokenReadFailure =
  { readonly kind: 'engine'; readonly error: EngineError } | { readonly kind: 'os'; readonly message: string; readonly code: string | undefined };

/** One read of a file (`TokenLines.next`): its lines (packed), where it ended and the checkpoint bytes there; `done`: the file had no more (`lines` empty). */
export type FromTokenReadWorker =
  | {
      readonly kind: 'read';
      readonly id: number;
      readonly lines: PackedTokenLines;
      readonly end: LogPosition;
      readonly tail: TailBytes;
      readonly bytes: number;
      readonly done: boolean;
    }
  | { readonly kind: 'failed'; readonly id: number; readonly failure: TokenReadFailure }
  /** Every file is read (or cancelled). */
  | { readonly kind: 'finished' };

export interface TokenReadWorkerData {
  readonly aheadBytes: number;
}

const WORKER = new URL('./tokenReadWorker.js', import.meta.url);

/** What a tail's consumer is thrown: the values `TokenLines` would have thrown. */
const thrown = (f: TokenReadFailure): unknown =>
  f.kind === 'engine' ? new ScanStartError(f.error) : Object.assign(new Error(f.message), f.code === undefined ? {} : { code: f.code });

/** Start the worker on these files, in the order they will be taken. */
export const openTokenReaderThread: TokenReaderThreadSource = (files, aheadBytes = AHEAD_BYTES) => {
  const data: TokenReadWorkerData = { aheadBytes };
  // A small young generation: the worker holds a few reads of lines, never a whole file.
  const worker = new Worker(WORKER, { workerData: data, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
  const queues: Array<Array<Exclude<FromTokenReadWorker, { kind: 'finished' }>>> = files.map(() => []);
  let wake: (() => void) | undefined;
  const cancelled = new Set<number>();
  let dead: EngineError | undefined;
  /** Bytes of the reads that arrived and are not yet taken; whether the worker has read every file. */
  let queuedBytes = 0;
  let finished = false;
  let taken = 0;
  const give = (bytes: number, now: boolean) => {
    taken += bytes;
    if (taken > 0 && (now || taken >= aheadBytes / TAKEN_SHARE) && dead === undefined) {
      worker.postMessage({ kind: 'taken', bytes: taken } satisfies ToTokenReadWorker);
      taken = 0;
    }
  };
  const wakeAll = () => wake?.();
  worker.on('message', (m: FromTokenReadWorker) => {
    if (dead !== undefined) return;
    if (m.kind === 'finished') {
      finished = true;
      return wakeAll();
    }
    // A cancelled file's reads: nobody takes them, so their bytes go back.
    if (cancelled.has(m.id)) {
      if (m.kind === 'read') give(m.bytes, true);
      return;
    }
    queues[m.id]!.push(m);
    if (m.kind === 'read') queuedBytes += m.bytes;
    wakeAll();
  });
  worker.on('error', (err) => {
    dead ??= ioError('token reader thread', 'read', 'WORKER', err instanceof Error ? err.message : String(err));
    wakeAll();
  });
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', (code) => {
      dead ??= ioError('token reader thread', 'read', 'WORKER', `exited with code ${code}`);
      wakeAll();
      resolve();
    }),
  );
  worker.postMessage({ kind: 'files', files } satisfies ToTokenReadWorker);

  const tails: Array<TokenTail | undefined> = files.map(() => undefined);
  const tailOf = (i: number): TokenTail => {
    const queue = queues[i]!;
    let end: LogPosition = files[i]!.from;
    let tailBytes: TailBytes | undefined;
    let ended = false;
    return {
      get end() {
        return end;
      },
      ready: () => ended || queue.length > 0 || dead !== undefined,
      next: (take) => {
        if (ended) return false;
        const m = queue.shift();
        if (m === undefined) throw dead !== undefined ? new ScanStartError(dead) : new Error(`token reader thread: ${files[i]!.path} read before it arrived`);
        if (m.kind === 'failed') {
          ended = true;
          throw thrown(m.failure);
        }
        queuedBytes -= m.bytes;
        give(m.bytes, false);
        unpackTokenLines(m.lines, take);
        end = m.end;
        tailBytes = m.tail;
        if (m.done) ended = true;
        return !m.done;
      },
      tailAt: (at) => {
        // Every position a checkpoint is taken at is where a read ended (or the start, when the first read found nothing).
        if (tailBytes === undefined || at.byteOffset !== end.byteOffset)
          throw new Error(`token reader thread: no checkpoint bytes for ${files[i]!.path} at ${at.byteOffset}`);
        return tailBytes;
      },
      close: () => {
        if (ended && queue.length === 0) return;
        ended = true;
        cancelled.add(i);
        for (const m of queue.splice(0))
          if (m.kind === 'read') {
            queuedBytes -= m.bytes;
            give(m.bytes, true);
          }
        if (dead === undefined) worker.postMessage({ kind: 'cancel', id: i } satisfies ToTokenReadWorker);
      },
    };
  };

  // A message wakes a waiting thread as soon as it is handled, before the next is: a turn of the
  // event loop (setImmediate) lets every one that has arrived in.
  const arrived = () => new Promise<void>((resolve) => setImmediate(resolve));
  const whenReady = async (i: number): Promise<void> => {
    await arrived();
    while (dead === undefined && (queues[i]!.length === 0 || (!finished && queuedBytes < TRANSACTION_BYTES))) {
      // The worker may be waiting for what was taken to read on.
      give(0, true);
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      await arrived();
    }
  };

  return {
    tail: (i) => (tails[i] ??= tailOf(i)),
    whenReady,
    close: async () => {
      if (dead === undefined) worker.postMessage({ kind: 'close' } satisfies ToTokenReadWorker);
      dead ??= ioError('token reader thread', 'read', 'WORKER', 'closed');
      wakeAll();
      await exited;
    },
  };
};
