import { BufferPool } from '../lines/lineScanner.js';
import { tailLines } from './tailLines.js';
import type { TailedChunk, TailSource } from './tailLines.js';

/**
 * Where the files of a catch-up are read and their lines classified (tailLines.ts): on the indexing
 * thread itself, or on a reader thread (tailReaderThread.ts) that runs ahead of the folding. Both give
 * the same chunks in the same order.
 */

/** One file's tail being read: its chunks in order, then the position after its last line. */
export interface TailStream {
  /** The next chunk; OS errors (and a start off a line start) are thrown, as by `tailLines`. */
  readonly next: () => Promise<IteratorResult<TailedChunk, unknown>>;
  /** Stop early (or after the end): the file is closed, nothing more is read. */
  readonly close: () => Promise<void>;
}

export interface TailReader {
  /**
   * Open a file's tail from `src.from`. Files may be read in the order they are opened, so
   * streams are to be consumed in that order, each to its end or its `close`.
   */
  readonly open: (src: Omit<TailSource, 'buffers'>) => TailStream;
  /** Files whose first chunk is asked for before the file ahead of them is folded. */
  readonly readAhead: number;
  /**
   * Files opened at once when the files ahead fall this many below `readAhead` (1: as each is
   * taken). A reader thread is told of a whole group in one message.
   */
  readonly opensAtOnce: number;
  readonly close: () => Promise<void>;
}

/**
 * How a catch-up gets a reader thread when it has much to read: the composition root's choice
 * (`openTailReaderThread`), handed to the indexer, which knows only this port.
 */
export type TailReaderSource = () => TailReader;

/** Read on this thread, the next few files' first reads in flight while one is folded. */
export const inProcessTailReader = (): TailReader => {
  const buffers = new BufferPool();
  return {
    open: (src) => {
      const gen: AsyncGenerator<TailedChunk, unknown, undefined> = tailLines({ ...src, buffers });
      return {
        next: () => gen.next(),
        close: async () => {
          await gen.return(undefined);
        },
      };
    },
    readAhead: 3,
    opensAtOnce: 1,
    close: async () => undefined,
  };
};
