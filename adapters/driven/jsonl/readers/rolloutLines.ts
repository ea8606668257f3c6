import * as E from 'fp-ts/lib/Either.js';
import type { HistoryEntry } from '../../../../domain/ports.js';
import { acceptEveryLine, readLog } from './reader.js';
import { lineDecoderFor, upcastFormatOf } from '../../../../migrations/upcast/lineDecoder.js';
import type { LineDecoder } from '../../../../migrations/upcast/lineDecoder.js';

/** Which lines of one rollout file to read: all, or those below a cut (a base below its fork or revision). */
export interface RolloutLinesBelow {
  readonly path: string;
  /** Rollout id the positions carry (thread, fork or revision id). */
  readonly rolloutId: string;
  readonly endByteOffset?: number | undefined;
  readonly endOrdinalExclusive?: number | undefined;
}

/**
 * Stream the decoded lines of one rollout file in order (upcast when the file is pre-envelope),
 * each with its exact position; `seq` counts the lines yielded. Quarantined lines are passed on,
 * never dropped.
 */
export async function* readRolloutLines(seg: RolloutLinesBelow): AsyncGenerator<HistoryEntry> {
  let seq = 0;
  const it = readLog(seg.path, undefined, {
    knownComplete: seg.endByteOffset !== undefined,
    classify: acceptEveryLine,
  });
  let decode: LineDecoder | undefined;
  try {
    for await (const entry of it) {
      if (entry.kind === 'failed') {
        yield entry;
        return;
      }
      const offset = entry.kind === 'line' ? entry.line.byteOffset : entry.record.byteOffset;
      if (seg.endByteOffset !== undefined && offset >= seg.endByteOffset) break;
      if (entry.kind === 'quarantined') {
        yield entry;
        continue;
      }
      decode ??= lineDecoderFor(seg.path, upcastFormatOf(entry.line.text));
      const decoded = decode(entry.line.text, entry.line.ordinal, entry.line.byteOffset);
      if (E.isLeft(decoded)) {
        yield {
          kind: 'quarantined',
          record: {
            path: seg.path,
            ordinal: entry.line.ordinal,
            byteOffset: entry.line.byteOffset,
            byteLength: entry.line.byteLength,
            reason: decoded.left,
            text: entry.line.text,
          },
        };
        continue;
      }
      const line = decoded.right;
      if (
        seg.endOrdinalExclusive !== undefined &&
        line.ordinal !== undefined &&
        line.ordinal >= seg.endOrdinalExclusive
      )
        break;
      yield {
        kind: 'line',
        line,
        position: {
          rolloutId: seg.rolloutId,
          line: entry.line.ordinal,
          byteOffset: entry.line.byteOffset,
          byteLength: entry.line.byteLength,
          ordinal: line.ordinal,
          seq: seq++,
        },
      };
    }
  } finally {
    await it.return(undefined as never);
  }
}
