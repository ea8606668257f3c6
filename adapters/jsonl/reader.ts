import * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { LogPosition } from '../../domain/errors.js';
import { corrupt } from '../../domain/errors.js';
import type { LogEntry } from '../../domain/ports.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import { toEngineError } from './toEngineError.js';

export interface ReadOptions {
  /** Bytes per read call. Big by default: a rollout line is often tens of KiB. */
  readonly chunkSize?: number;
  /**
   * The file is known to be finished (e.g. archived, or read under the writer's lock), so a last
   * line without "\n" is a line, not a torn tail.
   */
  readonly knownComplete?: boolean;
  /** Classifies a line's text; a Left is quarantined with its reason. Default: rollout envelope. */
  readonly classify?: (text: string) => E.Either<string, unknown>;
}

/** A classifier that accepts every line: the caller decodes (or skips) the text itself. */
export const acceptEveryLine = (): E.Either<string, unknown> => E.right(undefined);

export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const TORN_TAIL_REASON_PREFIX = 'torn tail:';

/** A torn-tail record is not a line yet: it does not advance the read position. */
export const isTornTail = (record: QuarantineRecord): boolean => record.reason.startsWith(TORN_TAIL_REASON_PREFIX);

/** The position a consumer should checkpoint after handling `entry` (unchanged for a torn tail). */
export const positionAfter = (entry: LogEntry, before: LogPosition): LogPosition => {
  switch (entry.kind) {
    case 'line':
      return { ordinal: entry.line.ordinal + 1, byteOffset: entry.line.byteOffset + entry.line.byteLength + 1 };
    case 'quarantined':
      return isTornTail(entry.record)
        ? before
        : { ordinal: entry.record.ordinal + 1, byteOffset: entry.record.byteOffset + entry.record.byteLength + 1 };
    case 'failed':
      return before;
  }
};

const NL = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const START: LogPosition = { ordinal: 0, byteOffset: 0 };

/**
 * Stream one rollout file from `from` (a line start) to EOF. Works on bytes: chunks are split on
 * 0x0A so offsets are exact whatever the UTF-8 content; each line is decoded with a fatal decoder.
 * Every complete line gets an ordinal (line index), good or quarantined; a last line without "\n"
 * is a torn tail (quarantined, not counted) unless `knownComplete`; in a live file it may be an
 * append in flight, so catch up again from the returned end. Errors end the stream with a
 * `failed` entry. The generator's return value is the position past the last complete line.
 */
export async function* readLog(
  path: string,
  from: LogPosition = START,
  options: ReadOptions = {},
): AsyncGenerator<LogEntry, LogPosition, undefined> {
  const chunkSize = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const classify = options.classify ?? decodeRolloutLine;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let fh: fs.FileHandle | undefined;
  let ordinal = from.ordinal;
  let lineStart = from.byteOffset;
  try {
    fh = await fs.open(path, 'r');
    const startError = await checkLineStart(fh, path, from.byteOffset);
    if (startError !== undefined) {
      yield { kind: 'failed', error: startError };
      return from;
    }
    const chunk = Buffer.allocUnsafe(chunkSize);
    // Bytes of the current line carried over from earlier chunks (copied: `chunk` is reused).
    let carried: Buffer[] = [];
    let readPos = from.byteOffset;

    const entryFor = (bytes: Buffer, offset: number, torn: boolean): LogEntry => {
      let start = offset;
      let body = bytes;
      if (offset === 0 && body.subarray(0, 3).equals(BOM)) {
        // A BOM is tolerated on the first line; the line's range starts after it.
        body = body.subarray(3);
        start = 3;
      }
      const quarantined = (reason: string, text: string): LogEntry => ({
        kind: 'quarantined',
        record: { path, ordinal, byteOffset: start, byteLength: body.length, reason, text },
      });
      if (torn) {
        return quarantined(
          `${TORN_TAIL_REASON_PREFIX} incomplete last line (${body.length} bytes, no newline)`,
          body.toString('utf8'),
        );
      }
      if (body.length === 0) return quarantined('empty line', '');
      let text: string;
      try {
        text = decoder.decode(body);
      } catch (e) {
        return quarantined(`invalid UTF-8: ${(e as Error).message}`, body.toString('utf8'));
      }
      const verdict = classify(text);
      if (E.isLeft(verdict)) return quarantined(verdict.left, text);
      return { kind: 'line', line: { ordinal, byteOffset: start, byteLength: body.length, text } };
    };

    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunkSize, readPos);
      if (bytesRead === 0) break;
      readPos += bytesRead;
      const view = chunk.subarray(0, bytesRead);
      let i = 0;
      for (;;) {
        const nl = view.indexOf(NL, i);
        if (nl < 0) break;
        const piece = view.subarray(i, nl);
        const bytes = carried.length === 0 ? piece : Buffer.concat([...carried, piece]);
        carried = [];
        const entry = entryFor(bytes, lineStart, false);
        lineStart += bytes.length + 1;
        ordinal += 1;
        yield entry;
        i = nl + 1;
      }
      if (i < bytesRead) carried.push(Buffer.from(view.subarray(i)));
    }
    if (carried.length > 0) {
      const bytes = Buffer.concat(carried);
      if (lineStart === 0 && bytes.equals(BOM)) {
        // A file holding only a BOM has no lines yet; it is not a torn line.
      } else if (options.knownComplete === true) {
        const entry = entryFor(bytes, lineStart, false);
        lineStart += bytes.length; // no "\n" to step over: the file ends here
        ordinal += 1;
        yield entry;
      } else {
        yield entryFor(bytes, lineStart, true);
      }
    }
    return { ordinal, byteOffset: lineStart };
  } catch (err) {
    yield { kind: 'failed', error: toEngineError(path, 'read')(err) };
    return { ordinal, byteOffset: lineStart };
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * A read may only start at a line start: offset 0 or just after a "\n". Catches stale
 * checkpoints of a file that was replaced or truncated, instead of decoding mid-line garbage.
 */
const checkLineStart = async (fh: fs.FileHandle, path: string, byteOffset: number) => {
  if (byteOffset === 0) return undefined;
  const size = (await fh.stat()).size;
  if (byteOffset > size) return corrupt(path, byteOffset, `read position is past the end of the file (${size} bytes)`);
  const one = Buffer.alloc(1);
  await fh.read(one, 0, 1, byteOffset - 1);
  return one[0] === NL ? undefined : corrupt(path, byteOffset, 'read position is not at a line start');
}
