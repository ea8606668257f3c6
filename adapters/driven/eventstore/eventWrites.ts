import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineError } from '../../../domain/errors.js';
import type { EventDraft, EventStoreConnection } from './eventStoreClient.js';
import { eventStoreError, isUnknownOutcome, isWrongExpectedVersion } from './eventStoreError.js';
import { Stop, callOn as call } from './streamReads.js';

/** What an event costs a request beyond its data and metadata (id, type, framing): a generous bound. */
const EVENT_OVERHEAD_BYTES = 256;

export interface EventWriterOptions {
  readonly maxAppendBytes: number;
  readonly pageSize: number;
  readonly retries: number;
  readonly retryDelayMs: number;
}

/** Writes `events` just past `revision`; resolves to the revision of the last one written. */
export type WriteEvents = (
  stream: string,
  events: ReadonlyArray<EventDraft>,
  revision: number,
  onConflict: () => Promise<EngineError>,
) => Promise<number>;

export const eventWriter = (
  connection: EventStoreConnection,
  { maxAppendBytes, pageSize, retries, retryDelayMs }: EventWriterOptions,
): WriteEvents => {
  /** Requests of events whose sizes stay below the server's maximum append size. */
  const requestsOf = (events: ReadonlyArray<EventDraft>, from: number): number => {
    let bytes = 0;
    let i = from;
    while (i < events.length) {
      const e = events[i]!;
      const size = e.data.length + JSON.stringify(e.metadata).length + e.type.length + EVENT_OVERHEAD_BYTES;
      if (i > from && bytes + size > maxAppendBytes) break;
      bytes += size;
      i += 1;
    }
    return i;
  };

  /**
   * Write `events` just past `revision`, request by request. A lost answer is retried with the
   * same ids at the same revision (the server writes nothing twice); a wrong expected version
   * reads what is there: events with our ids count as written, any other is a Conflict.
   */
  const writeEvents = async (
    stream: string,
    events: ReadonlyArray<EventDraft>,
    revision: number,
    onConflict: () => Promise<EngineError>,
  ): Promise<number> => {
    let rev = revision;
    let i = 0;
    let attempt = 0;
    while (i < events.length) {
      const upTo = requestsOf(events, i);
      try {
        const result = await connection.append(stream, events.slice(i, upTo), rev < 0 ? 'noStream' : rev);
        rev = result.revision;
        i = upTo;
        attempt = 0;
      } catch (err) {
        if (isUnknownOutcome(err) && attempt < retries) {
          await sleep(retryDelayMs * 2 ** attempt);
          attempt += 1;
          continue;
        }
        if (!isWrongExpectedVersion(err)) throw new Stop(eventStoreError(stream, 'append')(err));
        const there = await call(stream, 'append', () =>
          connection.read(stream, rev + 1, 'forwards', Math.min(pageSize, events.length - i)),
        );
        let ours = 0;
        if (there !== 'noStream') while (ours < there.length && there[ours]!.id === events[i + ours]!.id) ours += 1;
        if (ours === 0) throw new Stop(await onConflict());
        rev += ours;
        i += ours;
      }
    }
    return rev;
  };

  return writeEvents;
};
