import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  binaryEvent,
  isCommandError,
  ErrorType,
  streamNameFilter,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, ResolvedEvent } from '@eventstore/db-client';

/**
 * Every call this project makes to `@eventstore/db-client`, in one module: the rest of
 * `adapters/driven/eventstore/` sees plain records and numbers, so a move to `@kurrent/kurrentdb-client`
 * (the same API under a new name) changes this file only. Calls throw the client's errors;
 * `eventStoreError.ts` maps them.
 */

/** An event to append: binary data (a rollout line's bytes) and small JSON metadata. */
export interface EventDraft {
  readonly id: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A position in `$all`. */
export interface AllPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** An event as read: its stream, revision, id, type, data and (undecoded) metadata. */
export interface RecordedEvent {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: unknown;
  readonly position: AllPosition | undefined;
}

/** An exact revision (the last event's), or: the stream must not exist. */
export type ExpectedRevision = number | 'noStream';

export interface AllSubscriptionHandlers {
  readonly onEvent: (event: RecordedEvent) => Promise<void>;
  /** The past is delivered: what follows is live. */
  readonly onCaughtUp: () => void;
  readonly onError: (err: unknown) => void;
}

export interface EventStoreConnection {
  /** Append with an exact expected revision; the stream's revision after it. */
  readonly append: (
    stream: string,
    events: ReadonlyArray<EventDraft>,
    expected: ExpectedRevision,
  ) => Promise<{ readonly revision: number }>;
  /** At most `maxCount` events from `from` (a revision, or the end when backwards); 'noStream' if there is none. */
  readonly read: (
    stream: string,
    from: number | 'end',
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ) => Promise<ReadonlyArray<RecordedEvent> | 'noStream'>;
  /**
   * One page of `$all` from `from` (inclusive): at most `maxCount` events read, those of streams
   * named with `prefix` returned, and the position of the last one read (to go on from).
   */
  readonly readAll: (
    prefix: string,
    from: AllPosition | 'start',
    maxCount: number,
  ) => Promise<{
    readonly events: ReadonlyArray<RecordedEvent>;
    readonly last: AllPosition | undefined;
    readonly count: number;
  }>;
  /** A catch-up subscription to `$all` filtered by stream name prefixes, from just past `from`. */
  readonly subscribeAll: (
    prefixes: ReadonlyArray<string>,
    from: AllPosition | 'start',
    handlers: AllSubscriptionHandlers,
  ) => { readonly stop: () => Promise<void> };
  readonly close: () => Promise<void>;
}

/** The client's error kinds this project tells apart (its `ErrorType` values). */
export type ClientErrorKind =
  | 'wrongExpectedVersion'
  | 'streamDeleted'
  | 'notFound'
  | 'maxAppendSize'
  | 'unavailable'
  | 'deadline'
  | 'accessDenied'
  | 'invalidArgument'
  | 'other';

export interface ClientErrorFacts {
  readonly kind: ClientErrorKind;
  readonly message: string;
  readonly maxAppendSize?: number;
}

/** What a thrown value is, in the client's terms (undefined: not the client's error). */
export const clientErrorFacts = (err: unknown): ClientErrorFacts | undefined => {
  if (!(err instanceof Error) || !isCommandError(err)) return undefined;
  const message = err.message;
  switch (err.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return { kind: 'wrongExpectedVersion', message };
    case ErrorType.STREAM_DELETED:
      return { kind: 'streamDeleted', message };
    case ErrorType.STREAM_NOT_FOUND:
    case ErrorType.NO_STREAM:
      return { kind: 'notFound', message };
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return { kind: 'maxAppendSize', message, maxAppendSize: err.maxAppendSize };
    case ErrorType.UNAVAILABLE:
    case ErrorType.NOT_LEADER:
    case ErrorType.CANCELLED:
      return { kind: 'unavailable', message };
    case ErrorType.DEADLINE_EXCEEDED:
    case ErrorType.TIMEOUT:
      return { kind: 'deadline', message };
    case ErrorType.ACCESS_DENIED:
      return { kind: 'accessDenied', message };
    case ErrorType.INVALID_ARGUMENT:
      return { kind: 'invalidArgument', message };
    default:
      return { kind: 'other', message };
  }
};

const recordOf = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined => {
  const e = resolved.event;
  if (e === undefined) return undefined;
  const data = e.data instanceof Uint8Array ? e.data : Buffer.from(JSON.stringify(e.data), 'utf8');
  return {
    stream: e.streamId,
    revision: Number(e.revision),
    id: e.id,
    type: e.type,
    data,
    metadata: e.metadata,
    position: e.position,
  };
};

/** A stream's events from a revision (or its end), 'noStream' when there is none. */
const readStreamOn =
  (client: EventStoreDBClient): EventStoreConnection['read'] =>
  async (stream, from, direction, maxCount) => {
    const out: RecordedEvent[] = [];
    try {
      for await (const resolved of client.readStream(stream, {
        fromRevision: from === 'end' ? END : BigInt(from),
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        maxCount,
      })) {
        const r = recordOf(resolved);
        if (r !== undefined) out.push(r);
      }
    } catch (err) {
      if (err instanceof Error && isCommandError(err) && err.type === ErrorType.STREAM_NOT_FOUND) return 'noStream';
      throw err;
    }
    return out;
  };

/** A page of `$all` from a position, the events of streams under `prefix` kept. */
const readAllOn =
  (client: EventStoreDBClient): EventStoreConnection['readAll'] =>
  async (prefix, from, maxCount) => {
    const out: RecordedEvent[] = [];
    let last: AllPosition | undefined;
    let count = 0;
    // A read of `$all` takes no server-side filter in this client: the page is filtered here.
    for await (const resolved of client.readAll({
      fromPosition: from === 'start' ? START : from,
      direction: FORWARDS,
      maxCount,
    })) {
      const r = recordOf(resolved);
      count += 1;
      last = r?.position ?? last;
      if (r !== undefined && r.stream.startsWith(prefix)) out.push(r);
    }
    return { events: out, last, count };
  };

/** A subscription to `$all` filtered by stream prefixes, its events handed over one at a time. */
const subscribeAllOn =
  (client: EventStoreDBClient): EventStoreConnection['subscribeAll'] =>
  (prefixes, from, handlers) => {
    const subscription = client.subscribeToAll({
      fromPosition: from === 'start' ? START : from,
      filter: streamNameFilter({ prefixes: [...prefixes] }),
    });
    // The client says `caughtUp` as the message arrives, while events before it may still wait
    // in the stream's buffer: it is told once the handler has had every one of them.
    let taken = 0;
    let handled = 0;
    let caughtUpAt: number | undefined;
    subscription.on('caughtUp', () => {
      const at = taken + subscription.readableLength;
      if (handled >= at) handlers.onCaughtUp();
      else caughtUpAt = at;
    });
    void (async () => {
      try {
        for await (const resolved of subscription) {
          taken += 1;
          const r = recordOf(resolved);
          if (r !== undefined) await handlers.onEvent(r);
          handled += 1;
          if (caughtUpAt !== undefined && handled >= caughtUpAt) {
            caughtUpAt = undefined;
            handlers.onCaughtUp();
          }
        }
      } catch (err) {
        handlers.onError(err);
      }
    })();
    return { stop: () => subscription.unsubscribe() };
  };

/** Connect lazily (the client dials on its first call). `connectionString`: `esdb://host:port?tls=false`, `kurrentdb://…` as the client takes it. */
export const connectEventStore = (connectionString: string): EventStoreConnection => {
  const client = EventStoreDBClient.connectionString(connectionString.replace(/^kurrent(?:db)?:/, 'esdb:'));
  return {
    append: async (stream, events, expected) => {
      const result = await client.appendToStream(
        stream,
        events.map((e) =>
          binaryEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata as Record<string, unknown> }),
        ),
        { expectedRevision: expected === 'noStream' ? 'no_stream' : BigInt(expected) },
      );
      return { revision: Number(result.nextExpectedRevision) };
    },
    read: readStreamOn(client),
    readAll: readAllOn(client),
    subscribeAll: subscribeAllOn(client),
    close: () => client.dispose(),
  };
};
