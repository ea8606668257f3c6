import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import { corrupt, decodeError } from '../../../../domain/errors.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';

/** What a line stream yields (LogEntry, HistoryEntry): a line of some view, quarantined bytes, or the failure that ended it. */
type Entry<L> =
  | { readonly kind: 'line'; readonly line: L }
  | { readonly kind: 'quarantined'; readonly record: QuarantineRecord }
  | { readonly kind: 'failed'; readonly error: EngineError };

/**
 * The first line of a rollout file, or why there is none: an empty file is corrupt (`empty`
 * says what was expected), quarantined bytes are a decode error at line 0, a read failure is
 * itself. The stream is closed after its first entry either way.
 */
export const firstEntry = async <L>(
  path: string,
  entries: AsyncGenerator<Entry<L>, unknown, undefined>,
  empty: string,
): Promise<E.Either<EngineError, L>> => {
  try {
    const first = await entries.next();
    if (first.done === true) return E.left(corrupt(path, 0, empty));
    const e = first.value;
    if (e.kind === 'failed') return E.left(e.error);
    if (e.kind === 'quarantined') return E.left(decodeError(path, 0, 0, e.record.reason));
    return E.right(e.line);
  } finally {
    await entries.return(undefined);
  }
};
