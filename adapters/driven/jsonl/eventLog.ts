import * as fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError, LogPosition } from '../../../domain/errors.js';
import type { EventLog, LogEntry } from '../../../domain/ports.js';
import { endFrom } from './lines/endPosition.js';
import type { QuarantineSink } from './writers/quarantine.js';
import { readRange } from './readers/readRange.js';
import type { ReadOptions } from './readers/reader.js';
import { isTornTail, readLog } from './readers/reader.js';
import { createTailCache } from './readers/tailCache.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';
import type { WriterOptions } from './writers/lockedRolloutFile.js';
import { appendLines } from './writers/writer.js';

export interface JsonlEventLogOptions extends Omit<WriterOptions, 'tailCache'> {
  readonly read?: ReadOptions;
}

/**
 * The EventLog port over rollout JSONL files; a stream is a file path. Reads and appends share
 * one in-process tail cache so `end` after an append, or a catch-up, scans only new bytes.
 *
 * Quarantined lines met while reading are yielded AND recorded in the `quarantine` sink (if
 * given) — except a torn tail, which is not a line yet (it may be an append in flight) and is
 * only yielded; a torn tail that a writer must cut is recorded by the writer. Re-reading a file
 * records its bad lines again: the sink is an audit log, not a set.
 */
export const jsonlEventLog = (options: JsonlEventLogOptions = {}): EventLog => {
  const tailCache = createTailCache();
  const writerOptions: WriterOptions = { ...options, tailCache };
  const sink: QuarantineSink | undefined = options.quarantine;

  async function* read(stream: string, from?: LogPosition): AsyncGenerator<LogEntry, void, undefined> {
    for await (const entry of readLog(stream, from, options.read)) {
      if (entry.kind === 'quarantined' && sink !== undefined && !isTornTail(entry.record)) {
        const recorded = await sink.record(entry.record)();
        if (E.isLeft(recorded)) {
          yield entry;
          yield { kind: 'failed', error: recorded.left };
          return;
        }
      }
      yield entry;
    }
  }

  const end =
    (stream: string): TE.TaskEither<EngineError, LogPosition | 'noStream'> =>
    async () => {
      let stat: Stats | undefined;
      try {
        stat = await fs.stat(stream);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') return E.left(toEngineError(stream, 'end')(err));
      }
      // The cached checkpoint (same inode) bounds the scan to the bytes appended since.
      const result = await endFrom(stream, stat && tailCache.checkpoint(stream, stat))();
      // Remember only a clean end seen at that size, so an exact cache hit means "ends with \n".
      if (
        E.isRight(result) &&
        result.right !== 'noStream' &&
        stat !== undefined &&
        result.right.byteOffset === stat.size
      ) {
        tailCache.remember(stream, {
          dev: stat.dev,
          ino: stat.ino,
          size: stat.size,
          end: result.right,
          lastOrdinal: undefined,
        });
      }
      return result;
    };

  return {
    read,
    readRange,
    append: (stream, lines, expected) => appendLines(stream, lines, expected, writerOptions),
    end,
  };
};
