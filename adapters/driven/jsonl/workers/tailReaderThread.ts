import { Worker } from 'node:worker_threads';
import type { EngineError } from '../../../../domain/errors.js';
import { ioError } from '../../../../domain/errors.js';
import type { TailSource } from '../readers/tailLines.js';
import type { TailReader, TailStream } from '../readers/tailReader.js';
import { unpackChunk } from './packedChunk.js';
import type { PackedChunk } from './packedChunk.js';

/**
 * A tail reader on its own thread (tailWorker.ts): reading, splitting lines, checking UTF-8 and
 * eliding unread strings take about a fifth of a cold build, and run there while this thread
 * folds and commits. The worker reads the opened files in order, at most `AHEAD_BYTES` of lines
 * ahead of what this thread has taken, so memory stays bounded whatever the file sizes.
 */

/** Bytes of lines (as stored) the worker may have handed over but this thread not yet taken. */
const AHEAD_BYTES = 8 << 20;

/**
 * Taken bytes are told the worker once this share of its window adds up (or when this thread
 * is about to wait for it): a message a chunk cost a few per cent of a heavy build.
 */
const TAKEN_SHARE = 8;

export type ToTailWorker =
  | { readonly kind: 'open'; readonly id: number; readonly src: Omit<TailSource, 'buffers'> }
  | { readonly kind: 'cancel'; readonly id: number }
  | { readonly kind: 'taken'; readonly bytes: number }
  /** No more files: the worker closes what it has open and exits. */
  | { readonly kind: 'close' };

/** What this thread posts: the messages of one turn of its event loop, in order, as one. */
export type ToTailWorkerBatch = ReadonlyArray<ToTailWorker>;

/** How a stream failed: an EngineError as is, or an OS error by its message and errno code. */
export type TailFailure =
  | { readonly kind: 'engine'; readonly error: EngineError }
  | { readonly kind: 'os'; readonly message: string; readonly code: string | undefined };

export type FromTailWorker =
  | { readonly kind: 'chunk'; readonly id: number; readonly chunk: PackedChunk; readonly bytes: number }
  | { readonly kind: 'end'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'failed'; readonly id: number; readonly failure: TailFailure };

export interface TailWorkerData {
  readonly aheadBytes: number;
}

const WORKER = new URL('./tailWorker.js', import.meta.url);

/** What a stream's consumer throws: the same values an in-process tail would have thrown. */
const thrown = (f: TailFailure): unknown =>
  f.kind === 'engine' ? f.error : Object.assign(new Error(f.message), f.code === undefined ? {} : { code: f.code });

interface Stream {
  readonly queue: FromTailWorker[];
  wake: (() => void) | undefined;
}

/**
 * Start the reader thread; `close` stops it (open streams then fail).
 * long: a port's factory: the methods it returns share its closure's state
 */
export const openTailReaderThread = (aheadBytes = AHEAD_BYTES): TailReader => {
  const data: TailWorkerData = { aheadBytes };
  // A small young generation: the worker holds a few chunks of lines, never a whole file. Its old
  // generation keeps the default limit, as high as this thread's: one line may be hundreds of MB.
  // It needs none of this process's flags (nor a loader of an eval'd entry point).
  const worker = new Worker(WORKER, {
    workerData: data,
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  const streams = new Map<number, Stream>();
  let nextId = 0;
  let dead: EngineError | undefined;
  // Messages wait for the end of this turn (the indexer opens files ahead in a loop), then go as one.
  let outbox: ToTailWorker[] = [];
  const flush = () => {
    if (outbox.length === 0) return;
    const batch: ToTailWorkerBatch = outbox;
    outbox = [];
    if (dead === undefined) worker.postMessage(batch);
  };
  const post = (m: ToTailWorker) => {
    if (outbox.length === 0) queueMicrotask(flush);
    outbox.push(m);
  };
  let taken = 0;
  const give = (bytes: number, now: boolean) => {
    taken += bytes;
    if (taken > 0 && (now || taken >= aheadBytes / TAKEN_SHARE)) {
      post({ kind: 'taken', bytes: taken });
      taken = 0;
    }
  };
  const wakeAll = () => {
    for (const s of streams.values()) s.wake?.();
  };
  worker.on('message', (m: FromTailWorker) => {
    if (dead !== undefined) return; // closed: what was still on its way is not delivered
    const s = streams.get(m.id);
    // A cancelled stream's last chunk: nobody takes it, so give its bytes back.
    if (s === undefined) {
      if (m.kind === 'chunk') give(m.bytes, true);
      return;
    }
    s.queue.push(m);
    s.wake?.();
  });
  worker.on('error', (err) => {
    dead ??= ioError('tail reader thread', 'read', 'WORKER', err instanceof Error ? err.message : String(err));
    wakeAll();
  });
  const exited = new Promise<void>((resolve) =>
    worker.on('exit', (code) => {
      dead ??= ioError('tail reader thread', 'read', 'WORKER', `exited with code ${code}`);
      wakeAll();
      resolve();
    }),
  );

  const next = async (s: Stream): Promise<FromTailWorker> => {
    for (;;) {
      const m = s.queue.shift();
      if (m !== undefined) return m;
      if (dead !== undefined) throw dead;
      // The worker may be waiting for these bytes to read on (they go with this turn's messages).
      give(0, true);
      await new Promise<void>((resolve) => (s.wake = resolve));
      s.wake = undefined;
    }
  };

  const open = (src: Omit<TailSource, 'buffers'>): TailStream => {
    // Opened now, not on the first `next`: the worker reads files in the order they are opened.
    const id = nextId++;
    const s: Stream = { queue: [], wake: undefined };
    streams.set(id, s);
    post({ kind: 'open', id, src });
    let ended = false;
    const end = () => {
      ended = true;
      streams.delete(id);
    };
    return {
      next: async () => {
        if (ended) return { done: true, value: undefined };
        const m = await next(s).catch((err: unknown) => {
          end();
          throw err;
        });
        if (m.kind === 'end') {
          end();
          return { done: true, value: m.value };
        }
        if (m.kind === 'failed') {
          end();
          throw thrown(m.failure);
        }
        give(m.bytes, false);
        return { done: false, value: unpackChunk(m.chunk) };
      },
      close: async () => {
        if (ended) return;
        end();
        post({ kind: 'cancel', id });
        // Chunks that arrived but are not taken now never will be: their bytes go back.
        for (const m of s.queue) if (m.kind === 'chunk') give(m.bytes, true);
      },
    };
  };

  return {
    open,
    // Opening a file only queues it: the worker reads ahead by bytes, not by files.
    readAhead: 64,
    opensAtOnce: 32,
    close: async () => {
      post({ kind: 'close' });
      flush();
      dead ??= ioError('tail reader thread', 'read', 'WORKER', 'closed');
      // A stream still open fails from now on, even with chunks that had already arrived.
      for (const st of streams.values()) st.queue.length = 0;
      wakeAll();
      await exited;
    },
  };
};
