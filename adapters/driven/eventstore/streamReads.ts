import * as E from 'fp-ts/lib/Either.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { corrupt, isEngineError, notFound } from '../../../domain/errors.js';
import type { EventStoreConnection } from './eventStoreClient.js';
import { eventStoreError } from './eventStoreError.js';
import type { StoredLine, StreamSeal } from './lineEvents.js';
import { LineAssembler, isSealEvent, lineMetadataOf, positionPast, streamSealOf } from './lineEvents.js';
import type { LineTable } from './lineTable.js';

export const START: LogPosition = { ordinal: 0, byteOffset: 0 };

export const samePosition = (a: LogPosition, b: LogPosition): boolean =>
  a.ordinal === b.ordinal && a.byteOffset === b.byteOffset;

export interface Tail {
  /** Past the last whole line; 'noStream' when there is no stream. */
  readonly end: LogPosition | 'noStream';
  /** The last event of the last whole line (-1: none). */
  readonly revision: number;
  /** The seal after the last line, if a revision sealed the stream. */
  readonly sealed?: StreamSeal;
}

/** Thrown inside the event log's modules only, to end a use of the connection with an engine error. */
export class Stop extends Error {
  constructor(readonly error: EngineError) {
    super(error._tag);
  }
}

/** A call on the connection, its failure as an engine error (`Stop`). */
export const callOn = async <A>(stream: string, op: string, f: () => Promise<A>): Promise<A> => {
  try {
    return await f();
  } catch (err) {
    throw new Stop(eventStoreError(stream, op)(err));
  }
};

/** A use of the connection, its `Stop` or engine error as a Left. */
export const runStopping = async <A>(body: () => Promise<A>): Promise<E.Either<EngineError, A>> => {
  try {
    return E.right(await body());
  } catch (err) {
    if (err instanceof Stop) return E.left(err.error);
    if (isEngineError(err)) return E.left(err);
    throw err;
  }
};

/** How the event log reads a stream: its tail, its whole lines, the revision of a line start. */
export interface StreamReads {
  readonly tail: (stream: string) => Promise<Tail>;
  readonly tailSeenAt: (stream: string, seen: LogPosition | undefined) => Promise<Tail>;
  readonly linesFrom: (
    stream: string,
    revision: number,
    at: LogPosition | undefined,
  ) => AsyncGenerator<
    StoredLine,
    { torn: { meta: { ordinal: number; byteOffset: number }; bytes: Buffer } | undefined }
  >;
  readonly revisionAt: (stream: string, position: LogPosition) => Promise<number>;
}

/**
 * The read paths over `connection`, each line's revisions remembered in `table` (this process's map of line starts to revisions).
 * long: a port's factory: the methods it returns share its closure's state
 */
export const streamReads = (connection: EventStoreConnection, table: LineTable, pageSize: number): StreamReads => {
  const call = callOn;
  const remember = (stream: string, line: StoredLine): void => {
    table.remember(stream, { ordinal: line.ordinal, byteOffset: line.byteOffset, revision: line.firstRevision });
    const past = positionPast(line, line.bytes.length);
    table.remember(stream, { ...past, revision: line.lastRevision + 1 });
  };

  /** The stream's last whole line, read backwards a page at a time past a torn tail's parts. */
  const tail = async (stream: string): Promise<Tail> => {
    let from: number | 'end' = 'end';
    let sealed: StreamSeal | undefined;
    for (;;) {
      const page = await call(stream, 'end', () => connection.read(stream, from, 'backwards', pageSize));
      if (page === 'noStream') return { end: 'noStream', revision: -1 };
      for (const event of page) {
        if (isSealEvent(event) && sealed === undefined && event === page[0] && from === 'end') {
          const seal = streamSealOf(event);
          if (E.isLeft(seal)) throw new Stop(seal.left);
          sealed = seal.right;
          continue;
        }
        const meta = lineMetadataOf(event);
        if (E.isLeft(meta)) throw new Stop(meta.left);
        const m = meta.right;
        if (m.part === undefined || m.part === (m.parts ?? 1) - 1) {
          const end = positionPast(m, m.byteLength);
          table.remember(stream, { ...end, revision: event.revision + 1 });
          return { end, revision: event.revision, ...(sealed === undefined ? {} : { sealed }) };
        }
      }
      const oldest = page[page.length - 1];
      if (oldest === undefined || oldest.revision === 0)
        return { end: START, revision: -1, ...(sealed === undefined ? {} : { sealed }) };
      from = oldest.revision - 1;
    }
  };

  /**
   * The tail, where this process last saw the stream end at `seen` (its own last append or read)
   * without a read: a write at that exact revision checks it, and a wrong one is resolved by the
   * write as any other (a seal there included). Else read.
   */
  const tailSeenAt = async (stream: string, seen: LogPosition | undefined): Promise<Tail> => {
    const known = seen === undefined || seen.ordinal === 0 ? undefined : table.at(stream, seen.byteOffset);
    return seen !== undefined && known !== undefined && known.ordinal === seen.ordinal
      ? { end: seen, revision: known.revision - 1 }
      : tail(stream);
  };

  /** Whole lines from the revision of a line start, a page at a time; the parts of a torn tail last. */
  async function* linesFrom(
    stream: string,
    revision: number,
    at: LogPosition | undefined,
  ): AsyncGenerator<
    StoredLine,
    { torn: { meta: { ordinal: number; byteOffset: number }; bytes: Buffer } | undefined }
  > {
    const assembler = new LineAssembler(stream, at);
    let next = revision;
    for (;;) {
      const page = await call(stream, 'read', () => connection.read(stream, next, 'forwards', pageSize));
      if (page === 'noStream') {
        if (revision === 0 && at === undefined) throw new Stop(notFound('stream', stream));
        return { torn: assembler.pending() };
      }
      for (const event of page) {
        const line = assembler.push(event);
        if (E.isLeft(line)) throw new Stop(line.left);
        if (line.right !== undefined) {
          remember(stream, line.right);
          yield line.right;
        }
      }
      if (page.length < pageSize) return { torn: assembler.pending() };
      next = page[page.length - 1]!.revision + 1;
    }
  }

  /** The revision of the line starting at `position` (or of the event just past the last line). */
  const revisionAt = async (stream: string, position: LogPosition): Promise<number> => {
    if (position.byteOffset === 0 && position.ordinal === 0) return 0;
    const known = table.at(stream, position.byteOffset);
    if (known !== undefined && known.ordinal === position.ordinal) return known.revision;
    const floor = table.floor(stream, position.byteOffset);
    const scan = linesFrom(stream, floor?.revision ?? 0, floor);
    for (;;) {
      const r = await scan.next();
      if (r.done === true) break;
      const line = r.value;
      if (line.byteOffset === position.byteOffset && line.ordinal === position.ordinal) return line.firstRevision;
      const past = positionPast(line, line.bytes.length);
      if (samePosition(past, position)) return line.lastRevision + 1;
      if (line.byteOffset > position.byteOffset) break;
    }
    if (floor !== undefined && samePosition(floor, position)) return floor.revision;
    throw new Stop(corrupt(stream, position.byteOffset, 'read position is not at a line start of the stream'));
  };

  return { tail, tailSeenAt, linesFrom, revisionAt };
};
