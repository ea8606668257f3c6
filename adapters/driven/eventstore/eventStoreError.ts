import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument, ioError, notFound } from '../../../domain/errors.js';
import { clientErrorFacts } from './eventStoreClient.js';

/**
 * The one map from what `@eventstore/db-client` throws to the engine's error union. A wrong
 * expected version never gets here as such: the EventLog resolves it (reads what is there) into
 * success or a `Conflict` with both positions, which only it knows.
 */
export const eventStoreError =
  (stream: string, op: string) =>
  (err: unknown): EngineError => {
    const facts = clientErrorFacts(err);
    const message = facts?.message ?? (err instanceof Error ? err.message : String(err));
    switch (facts?.kind) {
      case 'streamDeleted':
        return notFound('stream', stream);
      case 'notFound':
        return notFound('stream', stream);
      case 'maxAppendSize':
        return invalidArgument(
          'lines',
          `an append to ${stream} exceeds the server's maximum append size (${facts.maxAppendSize ?? '?'} bytes)`,
        );
      case 'deadline':
        return { _tag: 'Timeout', what: `${op} ${stream} on EventStoreDB`, ms: 0 };
      case 'invalidArgument':
        return invalidArgument(op, message);
      case 'unavailable':
        return ioError(stream, op, 'UNAVAILABLE', message);
      case 'accessDenied':
        return ioError(stream, op, 'EACCES', message);
      case 'wrongExpectedVersion':
        return ioError(stream, op, 'WRONG_EXPECTED_VERSION', message);
      case 'other':
      case undefined:
        return ioError(stream, op, 'EVENTSTORE', message);
    }
  };

/** An outcome the server may or may not have committed: retried with the same ids at the same revision. */
export const isUnknownOutcome = (err: unknown): boolean => {
  const kind = clientErrorFacts(err)?.kind;
  return kind === 'unavailable' || kind === 'deadline';
};

export const isWrongExpectedVersion = (err: unknown): boolean => clientErrorFacts(err)?.kind === 'wrongExpectedVersion';
