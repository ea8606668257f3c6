import type { EventStoreConnection } from '../../adapters/driven/eventstore/eventStoreClient.js';
import { connectEventStore } from '../../adapters/driven/eventstore/eventStoreClient.js';
import type { StreamsTestServer, StreamsTestServerOptions } from './streamsTestServer.js';
import { startStreamsTestServer } from './streamsTestServer.js';

/**
 * The EventStoreDB a `describe` runs against: the real server named by
 * `EVENTSTORE_CONNECTION_STRING` when it is set, else an in-process test server started before
 * its tests and stopped after them (`server` is then the test server, for fault injection).
 */
export interface EventStoreUnderTest {
  readonly connectionString: string;
  readonly server: StreamsTestServer | undefined;
}

export const realEventStore = (): string | undefined => process.env['EVENTSTORE_CONNECTION_STRING'];

export const useEventStore = (options: StreamsTestServerOptions = {}): (() => EventStoreUnderTest) => {
  let current: EventStoreUnderTest | undefined;
  before(async () => {
    const real = realEventStore();
    if (real !== undefined) current = { connectionString: real, server: undefined };
    else {
      const server = await startStreamsTestServer(options);
      current = { connectionString: server.connectionString, server };
    }
  });
  after(async () => {
    await current?.server?.stop();
  });
  return () => {
    if (current === undefined) throw new Error('useEventStore: used before its before() hook ran');
    return current;
  };
};

/** A client connection to the `describe`'s store, opened before its tests and closed after them. */
export const useConnection = (store: () => EventStoreUnderTest): (() => EventStoreConnection) => {
  let connection: EventStoreConnection | undefined;
  before(() => {
    connection = connectEventStore(store().connectionString);
  });
  after(async () => {
    await connection?.close();
  });
  return () => {
    if (connection === undefined) throw new Error('useConnection: used before its before() hook ran');
    return connection;
  };
};
