// The server: its options, the home opened once and the scheduler every connection shares; one
// connection's serving is connectionServing.ts, the home's opening homeOpening.ts, the upstream link connectionUpstream.ts.
import type { Readable, Writable } from 'node:stream';
import type { ServerLoad } from './method.js';
import { DEFAULT_MAX_REQUEST_BYTES } from './boundedLines.js';
import type { RpcConnection } from './connection.js';
import { lineConnection } from './connection.js';
import { serveOne } from './connectionServing.js';
import type { Shared } from './servedConnection.js';
import type { OpeningService, RpcService } from './homeOpening.js';
import { homeOpening } from './homeOpening.js';
import { createScheduler, DEFAULT_MAX_QUEUED_PER_KEY, DEFAULT_MAX_REQUESTS_PER_CONNECTION } from './scheduler.js';
import { LoadedThreads } from './loadedThreads.js';
import type { RpcServerOptions } from './serverOptions.js';

export type { RpcServerOptions } from './serverOptions.js';

/** One server per process: the home opened once, one scheduler for every connection. */
export interface RpcServer {
  /** Serve one client until its messages end (or the server shuts down) and every request it made is answered, or skipped when it is gone. */
  readonly serve: (connection: RpcConnection) => Promise<void>;
  readonly load: ServerLoad;
  /** Stop reading every connection, let the requests accepted finish and be answered, and resolve (the home opened if it was opening). */
  readonly shutdown: () => Promise<void>;
}

/**
 * JSON-RPC 2.0 as `codex app-server` speaks it, to any number of connections: `initialize` first
 * on each (then the client's `initialized` notification), answered in order; every other request
 * runs when its method's scope allows (`scheduler.ts`), concurrently with the others, so answers
 * may come out of order, as Codex's do. Params are decoded with each method's io-ts codec and
 * refused -32600 in serde's words, as Codex refuses them; unknown methods as `unknownMethodRefusal` says. A message over the transport's limit is
 * refused (-32600) without being held.
 *
 * A request's notifications are sent with its answer, before or after it as the handler said,
 * with no other message between them. An answer is sent as it is produced (`streamedJson.ts`:
 * `thread/read` streams its turns); an error met while streaming it (a rollout file rewritten
 * under the index) is still answered: the transport marks the cut message (on a line stream:
 * before the first 64 KiB were written, nothing was; after, the cut line is ended with a newline,
 * so no client takes it for the answer) and the error follows.
 */
export const createRpcServer = (service: RpcService | OpeningService, options: RpcServerOptions = {}): RpcServer => {
  const maxRequestsPerConnection = options.maxRequestsPerConnection ?? DEFAULT_MAX_REQUESTS_PER_CONNECTION;
  const scheduler = createScheduler({ maxQueuedPerKey: options.maxQueuedPerKey ?? DEFAULT_MAX_QUEUED_PER_KEY });
  // Requests waiting for the home to open are queued too.
  let waitingForHome = 0;
  const load: ServerLoad = {
    inFlight: scheduler.load.inFlight,
    queued: () => scheduler.load.queued() + waitingForHome,
  };
  // The threads this server holds loaded: one registry for every connection, as Codex's thread manager.
  const loaded = new LoadedThreads();

  const home = homeOpening(service);
  const { open, openSoon } = home;

  const connections = new Set<Promise<void>>();
  let shuttingDown = false;
  /** What each connection's reading loop does when shutdown starts (registered while it reads, removed after). */
  const onShutdown = new Set<() => void>();
  const startShutdown = (): void => {
    for (const stop of onShutdown) stop();
  };

  const shared: Shared = {
    options,
    maxRequestsPerConnection,
    scheduler,
    load,
    loaded,
    home,
    openHome: async () => {
      waitingForHome++;
      return open().finally(() => waitingForHome--);
    },
    onShutdown,
    shuttingDown: () => shuttingDown,
  };

  return {
    serve: (connection) => {
      const served = serveOne(shared, connection);
      const settled = served.catch(() => undefined);
      connections.add(settled);
      return served.finally(() => connections.delete(settled));
    },
    load,
    shutdown: async () => {
      shuttingDown = true;
      startShutdown();
      await Promise.all([...connections]);
      await scheduler.idle();
      home.close();
      // The home is opened even if no client asked for it: serve checks its home whatever the
      // clients did, and its owner closes it once open.
      if ('early' in service) {
        openSoon();
        await open();
      }
    },
  };
};

/** One connection served by a server of its own (tests, and callers with one client). */
export const serveConnection = async (
  connection: RpcConnection,
  service: RpcService | OpeningService,
  options?: RpcServerOptions,
): Promise<void> => {
  const server = createRpcServer(service, options);
  try {
    await server.serve(connection);
  } finally {
    await server.shutdown();
  }
};

/** JSON-RPC on stdio (or any byte stream pair), one message per line; a line over `maxRequestBytes` is refused without being held. */
export const serveJsonRpc = (
  input: Readable,
  output: Writable,
  service: RpcService | OpeningService,
  maxRequestBytes: number = DEFAULT_MAX_REQUEST_BYTES,
  options?: RpcServerOptions,
): Promise<void> => serveConnection(lineConnection(input, output, maxRequestBytes), service, options);
