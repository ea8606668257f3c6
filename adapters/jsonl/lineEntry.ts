import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type { LogEntry } from '../../domain/ports.js';
import type { ScannedLine } from './lineScanner.js';

/**
 * A scanned line as a log entry: its text, or a quarantine record saying why it has none. No
 * domain codecs here (the reader thread loads this); the caller's `classify` decides the rest.
 */

export const TORN_TAIL_REASON_PREFIX = 'torn tail:';
/** The reason given for a line that is not valid UTF-8 (what a fatal TextDecoder reports). */
export const INVALID_UTF8 = 'invalid UTF-8: The encoded data was not valid for encoding utf-8';

/** What one scanned line is: a line, or a quarantine record with the reason. */
export const entryOf = (path: string, l: ScannedLine, classify: (text: string) => E.Either<string, unknown>): LogEntry => {
  const body = l.bytes;
  const quarantined = (reason: string, text: string): LogEntry => ({
    kind: 'quarantined',
    record: { path, ordinal: l.ordinal, byteOffset: l.byteOffset, byteLength: body.length, reason, text },
  });
  if (l.torn) return quarantined(`${TORN_TAIL_REASON_PREFIX} incomplete last line (${body.length} bytes, no newline)`, body.toString('utf8'));
  if (body.length === 0) return quarantined('empty line', '');
  // isUtf8 + toString is the fatal decode, without TextDecoder's slow path for multi-byte text.
  if (!isUtf8(body)) return quarantined(INVALID_UTF8, body.toString('utf8'));
  const text = body.toString('utf8');
  const verdict = classify(text);
  if (E.isLeft(verdict)) return quarantined(verdict.left, text);
  return { kind: 'line', line: { ordinal: l.ordinal, byteOffset: l.byteOffset, byteLength: body.length, text } };
};
