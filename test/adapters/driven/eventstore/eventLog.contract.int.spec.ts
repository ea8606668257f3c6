import { randomUUID } from 'node:crypto';
import type { EventStoreConnection } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import { connectEventStore } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { eventLogContract } from '../../eventLogContract.js';
import { useEventStore } from '../../../eventstore/useEventStore.js';

describe('EventStoreDB EventLog (contract)', () => {
  const store = useEventStore();
  const connections: EventStoreConnection[] = [];
  const connect = (): EventStoreConnection => {
    const c = connectEventStore(store().connectionString);
    connections.push(c);
    return c;
  };
  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
  });
  eventLogContract(
    `EventStoreDB (${process.env['EVENTSTORE_CONNECTION_STRING'] === undefined ? 'test server' : 'EVENTSTORE_CONNECTION_STRING'})`,
    () => ({
      log: eventStoreEventLog(connect()),
      freshStream: () => `rollout-${randomUUID()}`,
      otherLog: () => eventStoreEventLog(connect()),
    }),
  );
});
