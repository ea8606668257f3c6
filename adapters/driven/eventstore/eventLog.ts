import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import { conflict, corrupt, notFound } from '../../../domain/errors.js';
import type { AppendResult, EventLog, ExpectedPosition, LogEntry } from '../../../domain/ports.js';
import { decodeRolloutLine } from '../../../domain/rollout/line.js';
import { entryOf } from '../jsonl/lines/lineEntry.js';
import { validateExpected, validateLines } from '../jsonl/writers/writer.js';
import type { EventDraft, EventStoreConnection } from './eventStoreClient.js';
import { eventWriter } from './eventWrites.js';
import type { LineToStore, StoredLine } from './lineEvents.js';
import type { StreamSeal } from './lineEvents.js';
import { draftLineEvents, lineMetadataOf, sealEventOf } from './lineEvents.js';
import { LineTable } from './lineTable.js';
import { START, Stop, callOn, runStopping, samePosition, streamReads } from './streamReads.js';

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
export type StoredEntry =
  { readonly kind: 'line'; readonly line: StoredLine } | { readonly kind: 'failed'; readonly error: EngineError };

export interface EventStoreEventLog extends EventLog {
  /** Append lines as bytes (a mirror: undecodable lines and a first line's BOM kept as they are). */
  readonly appendStored: (
    stream: string,
    lines: ReadonlyArray<LineToStore>,
    expected: ExpectedPosition,
  ) => TE.TaskEither<EngineError, AppendResult>;
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
/**
 * The EventLog port over EventStoreDB: one stream per rollout file, one event per line (part
 * events for a line larger than a request may carry), positions exactly the file's. An append
 * checks the expected position against the stream's last whole line and writes at that exact
 * revision; a wrong expected version is resolved by reading what is there: our own events
 * (an earlier try whose answer was lost) are success, anything else is `Conflict`.
 * long: a port's factory: the methods it returns share its closure's state
 */
export const eventStoreEventLog = (
  connection: EventStoreConnection,
  options: EventStoreEventLogOptions = {},
): EventStoreEventLog => {
  const maxAppendBytes = options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES;
  const partBytes = Math.max(1, Math.floor(maxAppendBytes / 2));
  const pageSize = options.pageSize ?? 512;
  const retries = options.retries ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 50;
  const table = new LineTable();
  const { tail, tailSeenAt, linesFrom, revisionAt } = streamReads(connection, table, pageSize);
  const writeEvents = eventWriter(connection, { maxAppendBytes, pageSize, retries, retryDelayMs });
  const run = runStopping;

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
            yield entryOf(
              stream,
              { ordinal: torn.meta.ordinal, byteOffset: torn.meta.byteOffset, bytes: torn.bytes, torn: true },
              decodeRolloutLine,
            );
          return;
        }
        const line = r.value;
        yield entryOf(
          stream,
          { ordinal: line.ordinal, byteOffset: line.byteOffset, bytes: line.bytes, torn: false },
          decodeRolloutLine,
        );
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

  const appendStored =
    (
      stream: string,
      lines: ReadonlyArray<LineToStore>,
      expected: ExpectedPosition,
    ): TE.TaskEither<EngineError, AppendResult> =>
    () =>
      run(async () => {
        const t = await tailSeenAt(stream, expected !== 'noStream' && expected !== 'any' ? expected : undefined);
        if (expected === 'noStream' && t.end !== 'noStream') throw new Stop(conflict(stream, 'noStream', t.end));
        if (t.sealed !== undefined && t.end !== 'noStream')
          throw new Stop(conflict(stream, expected === 'any' ? t.end : expected, t.end, t.sealed.revision));
        if (
          expected !== 'noStream' &&
          expected !== 'any' &&
          (t.end === 'noStream' ? !samePosition(expected, START) : !samePosition(t.end, expected))
        )
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
        const last = await callOn(stream, 'read', () => connection.read(stream, t.revision, 'backwards', 1));
        const meta = last === 'noStream' || last[0] === undefined ? undefined : lineMetadataOf(last[0]);
        if (meta === undefined || E.isLeft(meta)) throw new Stop(meta?.left ?? notFound('stream', stream));
        // Its first event: as many back as it has parts.
        const first = t.revision - (meta.right.parts ?? 1) + 1;
        const scan = linesFrom(stream, first, {
          ordinal: meta.right.ordinal,
          byteOffset: meta.right.bom === true ? 0 : meta.right.byteOffset,
        });
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
