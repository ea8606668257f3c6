/**
 * The reader thread of a catch-up (see tailReaderThread.ts): tails the opened files one after the
 * other, in the order they were opened, and posts each chunk of classified lines as soon as it
 * is ready, pausing while `aheadBytes` of lines are posted but not yet taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BufferPool } from '../lines/lineScanner.js';
import { ScanStartError } from '../lines/lineScanner.js';
import { errnoCode } from '../../fs/fsError.js';
import { tailLines } from '../readers/tailLines.js';
import type { TailedChunk } from '../readers/tailLines.js';
import { packChunk } from './packedChunk.js';
import type {
  FromTailWorker,
  TailFailure,
  TailWorkerData,
  ToTailWorker,
  ToTailWorkerBatch,
} from './tailReaderThread.js';

const { aheadBytes } = workerData as TailWorkerData;
const post = (m: FromTailWorker): void =>
  parentPort!.postMessage(m, m.kind === 'chunk' ? [m.chunk.numbers.buffer, m.chunk.bytes.buffer] : []);
const buffers = new BufferPool();

interface Open {
  readonly id: number;
  readonly src: Extract<ToTailWorker, { kind: 'open' }>['src'];
  gen?: AsyncGenerator<TailedChunk, unknown, undefined>;
  cancelled: boolean;
}

const queue: Open[] = [];
const byId = new Map<number, Open>();
let ahead = 0;
let pumping = false;

const failureOf = (err: unknown): TailFailure =>
  err instanceof ScanStartError
    ? { kind: 'engine', error: err.error }
    : { kind: 'os', message: err instanceof Error ? err.message : String(err), code: errnoCode(err) };

const finish = async (o: Open): Promise<void> => {
  queue.shift();
  byId.delete(o.id);
  await o.gen?.return(undefined).catch(() => undefined);
};

/** Read the head file's next chunks while there is room ahead; one pump at a time. */
const pump = async (): Promise<void> => {
  if (pumping) return;
  pumping = true;
  try {
    while (queue.length > 0 && ahead < aheadBytes) {
      const o = queue[0]!;
      if (o.cancelled) {
        await finish(o);
        continue;
      }
      // This thread has nothing else to do while it reads: blocking reads skip the thread pool.
      o.gen ??= tailLines({ ...o.src, buffers, blockingReads: true, textBytes: true });
      let r: IteratorResult<TailedChunk, unknown>;
      try {
        r = await o.gen.next();
      } catch (err) {
        post({ kind: 'failed', id: o.id, failure: failureOf(err) });
        await finish(o);
        continue;
      }
      if (r.done === true) {
        post({ kind: 'end', id: o.id, value: r.value });
        await finish(o);
        continue;
      }
      let bytes = 0;
      for (const t of r.value.lines) bytes += t.line.byteLength + 1;
      ahead += bytes;
      post({ kind: 'chunk', id: o.id, chunk: packChunk(r.value), bytes });
    }
  } finally {
    pumping = false;
  }
};

/** One message of the folding thread; true once it closed the worker. */
const take = (m: ToTailWorker): boolean => {
  switch (m.kind) {
    case 'open': {
      const o: Open = { id: m.id, src: m.src, cancelled: false };
      queue.push(o);
      byId.set(m.id, o);
      return false;
    }
    case 'cancel': {
      const o = byId.get(m.id);
      if (o) o.cancelled = true;
      return false;
    }
    case 'taken':
      ahead -= m.bytes;
      return false;
    case 'close':
      for (const o of queue) o.cancelled = true;
      // Once the open files are closed, nothing keeps the thread alive.
      void pump().then(() => parentPort!.close());
      return true;
  }
};

parentPort!.on('message', (batch: ToTailWorkerBatch) => {
  for (const m of batch) if (take(m)) return;
  void pump();
});
