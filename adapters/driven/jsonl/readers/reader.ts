import * as E from 'fp-ts/lib/Either.js';
import type { LogPosition } from '../../../../domain/errors.js';
import type { LogEntry } from '../../../../domain/ports.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';
import { decodeRolloutLine } from '../../../../domain/rollout/line.js';
import { toEngineError } from '../../fs/fsError.js';
import { ScanStartError, scanLines } from '../lines/lineScanner.js';
import { TORN_TAIL_REASON_PREFIX, entryOf } from '../lines/lineEntry.js';

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

const START: LogPosition = { ordinal: 0, byteOffset: 0 };

/**
 * Stream one rollout file from `from` (a line start) to EOF. Works on bytes (see `scanLines`):
 * offsets are exact whatever the UTF-8 content; each line is decoded with a fatal decoder.
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
  const classify = options.classify ?? decodeRolloutLine;
  const scan = scanLines(path, from, options);
  let end = from;
  try {
    for (;;) {
      const r = await scan.next();
      if (r.done === true) return r.value;
      for (const l of r.value) {
        const entry = entryOf(path, l, classify);
        if (!l.torn) end = { ordinal: l.ordinal + 1, byteOffset: l.byteOffset + l.bytes.length + 1 };
        yield entry;
      }
    }
  } catch (err) {
    yield { kind: 'failed', error: err instanceof ScanStartError ? err.error : toEngineError(path, 'read')(err) };
    return end;
  } finally {
    await scan.return(end);
  }
}
