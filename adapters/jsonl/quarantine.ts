import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import { toEngineError } from './toEngineError.js';

/** Where quarantined lines go. Nothing is dropped silently: every record reaches a sink. */
export interface QuarantineSink {
  readonly record: (record: QuarantineRecord) => TE.TaskEither<EngineError, void>;
}

/** One readable sentence for a record, stored next to it and usable in CLI output. */
export const renderQuarantineRecord = (r: QuarantineRecord): string => `${r.path} line ${r.ordinal} (bytes ${r.byteOffset}..${r.byteOffset + r.byteLength}): ${r.reason}`;

/**
 * Appends records as JSONL to `<dir>/quarantine.jsonl`. Each record is one O_APPEND write of one
 * complete line, so concurrent writers (processes too) never interleave within a record. The
 * directory is created on first use. The full text is kept: the bytes may be gone from the
 * source afterwards (a truncated torn tail).
 */
export const fileQuarantineSink = (dir: string, clock: Clock = { now: () => new Date() }): QuarantineSink => {
  const file = nodePath.join(dir, 'quarantine.jsonl');
  return {
    record: (r) =>
      TE.tryCatch(
        async () => {
          const line = JSON.stringify({
            at: clock.now().toISOString(),
            message: renderQuarantineRecord(r),
            path: r.path,
            ordinal: r.ordinal,
            byteOffset: r.byteOffset,
            byteLength: r.byteLength,
            reason: r.reason,
            text: r.text,
          });
          await fs.mkdir(dir, { recursive: true });
          const bytes = Buffer.from(line + '\n', 'utf8');
          const fh = await fs.open(file, 'a', 0o644);
          try {
            // One write(2) on an O_APPEND fd (appendFile would split records over 512 KiB).
            let done = 0;
            while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
          } finally {
            await fh.close();
          }
        },
        toEngineError(file, 'quarantine'),
      ),
  };
};

/** In-memory sink for tests and dry runs: `records` grows as records arrive. */
export const collectingQuarantineSink = (): QuarantineSink & { readonly records: QuarantineRecord[] } => {
  const records: QuarantineRecord[] = [];
  return {
    records,
    record: (r) => async () => {
      records.push(r);
      return E.right(undefined);
    },
  };
};
