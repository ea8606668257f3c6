import { isUtf8 } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../domain/errors.js';
import { conflict, corrupt, isEngineError, notFound } from '../../domain/errors.js';
import type { AppendResult, EventLog, ExpectedPosition, LogEntry } from '../../domain/ports.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import { entryOf } from '../jsonl/lineEntry.js';
import { validateExpected, validateLines } from '../jsonl/writer.js';
import type { EventDraft, EventStoreConnection } from './eventStoreClient.js';
import { eventStoreError, isUnknownOutcome, isWrongExpectedVersion } from './eventStoreError.js';
import type { LineToStore, StoredLine } from './lineEvents.js';
import type { StreamSeal } from './lineEvents.js';
import { LineAssembler, draftLineEvents, isSealEvent, lineMetadataOf, positionPast, sealEventOf, streamSealOf } from './lineEvents.js';
import { LineTable } from './lineTable.js';

export interface EventStoreEventLogOptions {
  /** The server's maximum append size (its `MaxAppendSize`, 1 MiB by default): requests stay below it. */
  readonly maxAppendBytes?: number;
  /** Events per read request (reads are always bounded). */
  readonly pageSize?: number;
  /** Retries of an append whose outcome is unknown (unavailable, deadline), with the same ids at the same revision. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

/** A whole stored line, or the error that ended a read. */
export type StoredEntry = { readonly kind: 'line'; readonly line: StoredLine } | { readonly kind: 'failed'; readonly error: EngineError };

export interface EventStoreEventLog extends EventLog {
  /** Append lines as bytes (a mirror: undecodable lines and a first line's BOM kept as they are). */
  readonly appendStored: (stream: string, lines: ReadonlyArray<LineToStore>, expected: ExpectedPosition) => TE.TaskEither<EngineError, AppendResult>;
  /** A stream's whole lines with their stored facts (BOM, file), from a line start. */
  readonly readStored: (stream: string, from?: LogPosition) => AsyncIterable<StoredEntry>;
  /** The stream's last whole line (undefined: no stream, or none whole yet). */
  readonly lastLine: (stream: string) => TE.TaskEither<EngineError, StoredLine | undefined>;
  /**
   * Seal the stream at `at`, its last line's end, for a revision (`StreamSeal`): written at the
   * exact revision of that line, so an append cut from the same end and the seal never both
   * pass. Conflict if the stream ends elsewhere or another revision sealed it (the same seal
   * again, a retry, is done).
   */
  readonly seal: (stream: string, at: LogPosition, seal: StreamSeal) => TE.TaskEither<EngineError, void>;
  /** The stream's seal, if a revision sealed it. */
  readonly sealOf: (stream: string) => TE.TaskEither<EngineError, StreamSeal | undefined>;
}

const DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;
/** What an event costs a request beyond its data and metadata (id, type, framing): a generous bound. */
const EVENT_OVERHEAD_BYTES = 256;
const START: LogPosition = { ordinal: 0, byteOffset: 0 };

interface Tail {
  /** Past the last whole line; 'noStream' when there is no stream. */
  readonly end: LogPosition | 'noStream';
  /** The last event of the last whole line (-1: none). */
  readonly revision: number;
  /** The seal after the last line, if a revision sealed the stream. */
  readonly sealed?: StreamSeal;
}

/** Thrown inside this module only, to end a use of the connection with an engine error. */
class Stop extends Error {
  constructor(readonly error: EngineError) {
    super(error._tag);
  }
}

const samePosition = (a: LogPosition, b: LogPosition): boolean => a.ordinal === b.ordinal && a.byteOffset === b.byteOffset;

/**
 * The EventLog port over EventStoreDB: one stream per rollout file, one event per line (part
 * events for a line larger than a request may carry), positions exactly the file's. An append
 * checks the expected position against the stream's last whole line and writes at that exact
 * revision; a wrong expected version is resolved by reading what is there: our own events
 * (an earlier try whose answer was lost) are success, anything else is `Conflict`.
 */
export const eventStoreEventLog = (connection: EventStoreConnection, options: EventStoreEventLogOptions = {}): EventStoreEventLog => {
  const maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
  const partBytes = Math.max(1, Math.floor(maxAppendBytes / 2));
  const pageSize = options.pageSize ?? 512;
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 50;
  const table = new LineTable();

  const call = async <A>(stream: string, op: string, f: () => Promise<A>): Promise<A> => {
    try {
      return await f();
    } catch (err) {
      throw new Stop(eventStoreError(stream, op)(err));
    }
  };

  const run = async <A>(body: () => Promise<A>): Promise<E.Either<EngineError, A>> => {
    try {
      return E.right(await body());
    } catch (err) {
      if (err instanceof Stop) return E.left(err.error);
      if (isEngineError(err)) return E.left(err);
      throw err;
    }
  };

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
      if (oldest === undefined || oldest.revision === 0) return { end: START, revision: -1, ...(sealed === undefined ? {} : { sealed }) };
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
    return seen !== undefined && known !== undefined && known.ordinal === seen.ordinal ? { end: seen, revision: known.revision - 1 } : tail(stream);
  };

  /** Whole lines from the revision of a line start, a page at a time; the parts of a torn tail last. */
  async function* linesFrom(
    stream: string,
    revision: number,
    at: LogPosition | undefined,
  ): AsyncGenerator<StoredLine, { torn: { meta: { ordinal: number; byteOffset: number }; bytes: Buffer } | undefined }> {
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

  async function* readStored(stream: string, from?: LogPosition): AsyncGenerator<StoredEntry, void, undefined> {
    try {
      const revision = from === undefined ? 0 : await revisionAt(stream, from);
      const scan = linesFrom(stream, revision, from);
      for (;;) {
        const r = await scan.next();
        if (r.done === true) return;
        yield { kind: 'line', line: r.value };
      }
    } catch (err) {
      if (err instanceof Stop) yield { kind: 'failed', error: err.error };
      else throw err;
    }
  }

  async function* read(stream: string, from?: LogPosition): AsyncGenerator<LogEntry, void, undefined> {
    try {
      const revision = from === undefined ? 0 : await revisionAt(stream, from);
      const scan = linesFrom(stream, revision, from);
      for (;;) {
        const r = await scan.next();
        if (r.done === true) {
          // Parts of a line whose last part is not stored: a torn tail, as a file's last line without "\n".
          const torn = r.value.torn;
          if (torn !== undefined)
            yield entryOf(stream, { ordinal: torn.meta.ordinal, byteOffset: torn.meta.byteOffset, bytes: torn.bytes, torn: true }, decodeRolloutLine);
          return;
        }
        const line = r.value;
        yield entryOf(stream, { ordinal: line.ordinal, byteOffset: line.byteOffset, bytes: line.bytes, torn: false }, decodeRolloutLine);
      }
    } catch (err) {
      if (err instanceof Stop) yield { kind: 'failed', error: err.error };
      else throw err;
    }
  }

  const readRange =
    (stream: string, byteOffset: number, byteLength: number): TE.TaskEither<EngineError, string> =>
    () =>
      run(async () => {
        const floor = table.floor(stream, byteOffset);
        const scan = linesFrom(stream, floor?.revision ?? 0, floor);
        const pieces: Buffer[] = [];
        let start: number | undefined;
        const end = byteOffset + byteLength;
        for (;;) {
          const r = await scan.next();
          if (r.done === true) break;
          const line = r.value;
          const lineEnd = line.byteOffset + line.bytes.length;
          if (lineEnd < byteOffset) continue;
          if (start === undefined) {
            if (line.byteOffset > byteOffset) break;
            start = line.byteOffset;
          } else pieces.push(Buffer.from('\n'));
          pieces.push(line.bytes);
          if (lineEnd >= end) {
            const bytes = Buffer.concat(pieces).subarray(byteOffset - start, byteOffset - start + byteLength);
            if (!isUtf8(bytes)) throw new Stop(corrupt(stream, byteOffset, 'the range is not valid UTF-8'));
            return bytes.toString('utf8');
          }
        }
        throw new Stop(corrupt(stream, byteOffset, `no whole lines of the stream cover bytes ${byteOffset}..${end}`));
      });

  /** Requests of events whose sizes stay below the server's maximum append size. */
  const requestsOf = (events: ReadonlyArray<EventDraft>, from: number): number => {
    let bytes = 0;
    let i = from;
    while (i < events.length) {
      const e = events[i]!;
      const size = e.data.length + JSON.stringify(e.metadata).length + e.type.length + EVENT_OVERHEAD_BYTES;
      if (i > from && bytes + size > maxAppendBytes) break;
      bytes += size;
      i += 1;
    }
    return i;
  };

  /**
   * Write `events` just past `revision`, request by request. A lost answer is retried with the
   * same ids at the same revision (the server writes nothing twice); a wrong expected version
   * reads what is there: events with our ids count as written, any other is a Conflict.
   */
  const writeEvents = async (stream: string, events: ReadonlyArray<EventDraft>, revision: number, onConflict: () => Promise<EngineError>): Promise<number> => {
    let rev = revision;
    let i = 0;
    let attempt = 0;
    while (i < events.length) {
      const upTo = requestsOf(events, i);
      try {
        const result = await connection.append(stream, events.slice(i, upTo), rev < 0 ? 'noStream' : rev);
        rev = result.revision;
        i = upTo;
        attempt = 0;
      } catch (err) {
        if (isUnknownOutcome(err) && attempt < retries) {
          await sleep(retryDelayMs * 2 ** attempt);
          attempt += 1;
          continue;
        }
        if (!isWrongExpectedVersion(err)) throw new Stop(eventStoreError(stream, 'append')(err));
        const there = await call(stream, 'append', () => connection.read(stream, rev + 1, 'forwards', Math.min(pageSize, events.length - i)));
        let ours = 0;
        if (there !== 'noStream') while (ours < there.length && there[ours]!.id === events[i + ours]!.id) ours += 1;
        if (ours === 0) throw new Stop(await onConflict());
        rev += ours;
        i += ours;
      }
    }
    return rev;
  };

  const appendStored =
    (stream: string, lines: ReadonlyArray<LineToStore>, expected: ExpectedPosition): TE.TaskEither<EngineError, AppendResult> =>
    () =>
      run(async () => {
        const t = await tailSeenAt(stream, expected !== 'noStream' && expected !== 'any' ? expected : undefined);
        if (expected === 'noStream' && t.end !== 'noStream') throw new Stop(conflict(stream, 'noStream', t.end));
        if (t.sealed !== undefined && t.end !== 'noStream') throw new Stop(conflict(stream, expected === 'any' ? t.end : expected, t.end, t.sealed.revision));
        if (expected !== 'noStream' && expected !== 'any' && (t.end === 'noStream' ? !samePosition(expected, START) : !samePosition(t.end, expected)))
          throw new Stop(conflict(stream, expected, t.end));
        const at = t.end === 'noStream' ? START : t.end;
        const { events, next, lineStarts } = draftLineEvents(stream, lines, at, partBytes);
        const onConflict = async (): Promise<EngineError> => {
          const now = await tail(stream);
          return conflict(stream, expected === 'any' ? at : expected, now.end, now.sealed?.revision);
        };
        const last = await writeEvents(stream, events, t.revision, onConflict);
        // Revisions are dense: the k-th event written lands at t.revision + 1 + k.
        let line = 0;
        events.forEach((e, k) => {
          if (((e.metadata as { part?: number }).part ?? 0) !== 0) return;
          const start = lineStarts[line++];
          if (start !== undefined) table.remember(stream, { ...start, revision: t.revision + 1 + k });
        });
        table.remember(stream, { ...next, revision: last + 1 });
        return { first: events.length === 0 ? at : positionOfFirst(events[0]!), next };
      });

  return {
    read,
    readRange,
    append: (stream, lines, expected) => {
      // The same checks as a file append: rollout lines only (a mirror keeps other bytes through appendStored).
      const invalid = validateExpected(expected) ?? validateLines(lines, true);
      if (invalid !== undefined) return TE.left(invalid);
      return appendStored(
        stream,
        lines.map((text) => ({ bytes: Buffer.from(text, 'utf8') })),
        expected,
      );
    },
    end: (stream) => () => run(async () => (await tail(stream)).end),
    seal: (stream, at, seal) => () =>
      run(async () => {
        // The caller has just read the end it seals at: the exact revision checks it again.
        const t = await tailSeenAt(stream, at);
        if (t.sealed !== undefined) {
          if (t.sealed.file === seal.file) return;
          throw new Stop(conflict(stream, at, t.end, t.sealed.revision));
        }
        if (t.end === 'noStream' || !samePosition(t.end, at)) throw new Stop(conflict(stream, at, t.end));
        const onConflict = async (): Promise<EngineError> => {
          const now = await tail(stream);
          return conflict(stream, at, now.end, now.sealed?.revision);
        };
        await writeEvents(stream, [sealEventOf(stream, seal)], t.revision, onConflict);
      }),
    sealOf: (stream) => () => run(async () => (await tail(stream)).sealed),
    appendStored,
    readStored,
    lastLine: (stream) => () =>
      run(async () => {
        const t = await tail(stream);
        if (t.end === 'noStream' || t.revision < 0) return undefined;
        const last = await call(stream, 'read', () => connection.read(stream, t.revision, 'backwards', 1));
        const meta = last === 'noStream' || last[0] === undefined ? undefined : lineMetadataOf(last[0]);
        if (meta === undefined || E.isLeft(meta)) throw new Stop(meta?.left ?? notFound('stream', stream));
        // Its first event: as many back as it has parts.
        const first = t.revision - (meta.right.parts ?? 1) + 1;
        const scan = linesFrom(stream, first, { ordinal: meta.right.ordinal, byteOffset: meta.right.bom === true ? 0 : meta.right.byteOffset });
        const line = await scan.next();
        await scan.return({ torn: undefined });
        return line.done === true ? undefined : line.value;
      }),
  };
};

const positionOfFirst = (event: EventDraft): LogPosition => {
  const meta = event.metadata as { ordinal: number; byteOffset: number };
  return { ordinal: meta.ordinal, byteOffset: meta.byteOffset };
};
