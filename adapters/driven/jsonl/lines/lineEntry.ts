import { isUtf8 } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type { LogEntry } from '../../../../domain/ports.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';
import type { ScannedLine } from './lineScanner.js';

/**
 * A scanned line as a log entry: its text, or a quarantine record saying why it has none. No
 * domain codecs here (the reader thread loads this); the caller's `classify` decides the rest.
 */

export const TORN_TAIL_REASON_PREFIX = 'torn tail:';
/** The reason given for a line that is not valid UTF-8 (what a fatal TextDecoder reports). */
export const INVALID_UTF8 = 'invalid UTF-8: The encoded data was not valid for encoding utf-8';

/**
 * The longest line decoded and parsed: 64 MiB. Codex never writes one near it (a line is one
 * event of a conversation whose whole model context is a few MB); the 50 MB lines the reliability
 * suite reads pass. A longer line of a kind a projection reads would cost five to six times its
 * bytes to decode, parse and fold (1.1 GB for 200 MB, measured), so it is quarantined unread
 * (`overSizeRecord`): its bytes stay in the rollout, at the range the record names. A longer line of
 * a kind no projection reads is skipped by its prefix as any other.
 */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** What a quarantine record of an over-size line keeps of its text (the rest is in the rollout). */
const OVER_SIZE_TEXT_BYTES = 64 * 1024;

/** The quarantine record of a line over MAX_LINE_BYTES: its range, the reason, and its first bytes only (never decoded whole). */
export const overSizeRecord = (path: string, l: ScannedLine): QuarantineRecord => ({
  path,
  ordinal: l.ordinal,
  byteOffset: l.byteOffset,
  byteLength: l.bytes.length,
  reason: `over-size: ${l.bytes.length} bytes, over the ${MAX_LINE_BYTES}-byte limit of a line that is read (not decoded; its bytes stay in the rollout)`,
  text: l.bytes.toString('utf8', 0, OVER_SIZE_TEXT_BYTES),
});

/** What one scanned line is: a line, or a quarantine record with the reason. */
export const entryOf = (
  path: string,
  l: ScannedLine,
  classify: (text: string) => E.Either<string, unknown>,
): LogEntry => {
  const body = l.bytes;
  const quarantined = (reason: string, text: string): LogEntry => ({
    kind: 'quarantined',
    record: { path, ordinal: l.ordinal, byteOffset: l.byteOffset, byteLength: body.length, reason, text },
  });
  if (l.torn)
    return quarantined(
      `${TORN_TAIL_REASON_PREFIX} incomplete last line (${body.length} bytes, no newline)`,
      body.toString('utf8'),
    );
  if (body.length === 0) return quarantined('empty line', '');
  // isUtf8 + toString is the fatal decode, without TextDecoder's slow path for multi-byte text.
  if (!isUtf8(body)) return quarantined(INVALID_UTF8, body.toString('utf8'));
  const text = body.toString('utf8');
  const verdict = classify(text);
  if (E.isLeft(verdict)) return quarantined(verdict.left, text);
  return { kind: 'line', line: { ordinal: l.ordinal, byteOffset: l.byteOffset, byteLength: body.length, text } };
};
