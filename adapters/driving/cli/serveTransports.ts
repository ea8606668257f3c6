// The transports `serve` answers on: stdio (one peer, a message a line) and a WebSocket listener
// (any number of peers); each serves until its end or a signal, then drains and closes the home.
import * as E from 'fp-ts/lib/Either.js';
import { createRpcServer } from '../rpc/server.js';
import type { RpcServer, RpcServerOptions } from '../rpc/server.js';
import { DEFAULT_MAX_OUTBOUND_BYTES, lineConnection } from '../rpc/connection.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../rpc/boundedLines.js';
import type { ServerMetrics } from '../rpc/metrics.js';
import type { ListenTarget } from '../rpc/listenUrl.js';
import type { WebSocketListener } from '../rpc/webSocketListener.js';
import type { WebSocketLimits } from '../rpc/webSocketConnection.js';
import type { ListenerBounds } from '../rpc/listenerBounds.js';
import { jsonLog } from '../rpc/structuredLog.js';
import type { Log } from '../rpc/structuredLog.js';
import { observedIndex } from '../rpc/observedIndex.js';
import type { PricingTable } from '../../../domain/tokens/pricing.js';
import { EXIT, reportError } from './exitCodes.js';
import type { HomeOptions, NamedHome } from './homeOptions.js';
import { openingService } from './homeService.js';
import { schedulingOf } from './serveOptions.js';
import type { ServeOptions } from './serveOptions.js';
import { upstreamOf } from './serveUpstream.js';

/** How the WebSocket listener pings: a peer silent for two intervals is dropped. */
const PING_INTERVAL_MS = 30_000;

/** Resolves at the first SIGINT or SIGTERM (main.ts's Ctrl-C exit would cut answers short). */
const stopSignal = (): Promise<string> => {
  process.removeAllListeners('SIGINT');
  return new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
};

/** `--listen stdio://`: one peer on stdin/stdout, served until its input ends or a signal. */
export const serveStdio = async (named: NamedHome, pricing: PricingTable, serveOpts: ServeOptions): Promise<void> => {
  const log = jsonLog(serveOpts.logLevel);
  const home = openingService(
    named,
    pricing,
    serveOpts,
    'JSON-RPC on stdin/stdout, one message per line',
    undefined,
    observedIndex(undefined, log, true),
  );
  const upstream = await upstreamOf(named, serveOpts);
  const server = createRpcServer(home.service, { ...schedulingOf(serveOpts), ...upstream });
  // SIGTERM and Ctrl-C stop reading and let the requests already taken finish and be answered;
  // serve then closes its home and exits.
  let signalled = false;
  void stopSignal().then(() => {
    signalled = true;
    // The upstream's links are cut at once: a request waiting on it is answered, not waited for.
    void upstream.upstream?.upstream.close();
    void server.shutdown();
  });
  // Its one peer stopped reading while 8 MiB waited for it (live notifications, an upstream's
  // stream): nothing more is sent, the connection ends, serve says why and exits 1.
  let dropped = false;
  const connection = lineConnection(
    process.stdin,
    process.stdout,
    serveOpts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    DEFAULT_MAX_OUTBOUND_BYTES,
    (waitingBytes) => {
      dropped = true;
      log.warn('slow consumer dropped', { peer: 'stdio', maxBufferedBytes: DEFAULT_MAX_OUTBOUND_BYTES, waitingBytes });
    },
  );
  try {
    await server.serve(connection);
    await server.shutdown();
  } finally {
    await upstream.upstream?.upstream.close();
    await home.close();
    // Stopped by a signal, stdin is still open: the process ends once it is let go.
    if (signalled) process.stdin.destroy();
    // Dropped, the write the peer never took would hold the process (a pipe's pending write keeps it alive): it ends here, its home closed.
    if (dropped) process.exit(EXIT.failed);
  }
};

/** The listener's bounds: `--max-request-bytes` and the connection flags where given, else the defaults. */
const listenerLimits = (
  serveOpts: ServeOptions,
  defaultLimits: WebSocketLimits,
  defaultBounds: ListenerBounds,
): { readonly limits: WebSocketLimits; readonly bounds: ListenerBounds } => ({
  limits: {
    ...defaultLimits,
    ...(serveOpts.maxRequestBytes === undefined ? {} : { maxMessageBytes: serveOpts.maxRequestBytes }),
  },
  bounds: {
    maxConnections: serveOpts.maxConnections ?? defaultBounds.maxConnections,
    maxHeads: serveOpts.maxPendingConnections ?? defaultBounds.maxHeads,
    headTimeoutMs: serveOpts.headTimeoutMs ?? defaultBounds.headTimeoutMs,
    maxInFlightBytes: serveOpts.maxInFlightBytes ?? defaultBounds.maxInFlightBytes,
  },
});

/**
 * Serves until SIGINT / SIGTERM, or until the home fails to open (it opens now, not at the first
 * client); then drains: the server shut down, the listener, the metrics and the home closed.
 */
const servedUntilStopped = async (
  server: RpcServer,
  home: ReturnType<typeof openingService>,
  listener: WebSocketListener,
  upstream: Pick<RpcServerOptions, 'upstream'>,
  metrics: ServerMetrics,
  log: Log,
): Promise<void> => {
  const stop = stopSignal();
  const opened = home.service
    .open()
    .then((o) => (E.isLeft(o) ? 'the home could not be opened' : new Promise<string>(() => undefined)));
  const why = await Promise.race([stop, opened]);
  log.info('shutting down', { why });
  // The upstream's links are cut at once: a request waiting on it is answered, not waited for.
  await Promise.all([server.shutdown(), upstream.upstream?.upstream.close()]);
  await listener.close();
  metrics.close();
  await home.close();
};

/**
 * `--listen ws://IP:PORT`: one server and one home for every connection; runs until SIGINT /
 * SIGTERM, then drains. `listening` is told the listener once it is bound.
 */
export const serveWebSocket = async (
  opts: HomeOptions,
  named: NamedHome,
  pricing: PricingTable,
  serveOpts: ServeOptions,
  target: Extract<ListenTarget, { kind: 'ws' }>,
  listening: (listener: { readonly viewerUrl: string }) => void = () => undefined,
): Promise<void> => {
  const [
    { webSocketAuthPolicy },
    { listenWebSocket },
    { DEFAULT_WEBSOCKET_LIMITS },
    { serverMetrics },
    { DEFAULT_LISTENER_BOUNDS },
  ] = await Promise.all([
    import('../rpc/webSocketAuth.js'),
    import('../rpc/webSocketListener.js'),
    import('../rpc/webSocketConnection.js'),
    import('../rpc/metrics.js'),
    import('../rpc/listenerBounds.js'),
  ]);
  const auth = webSocketAuthPolicy(serveOpts);
  if (E.isLeft(auth)) return reportError(auth.left, opts.json);
  const log = jsonLog(serveOpts.logLevel);
  // The metrics read the server's load when scraped; the server is made just below.
  const load = { inFlight: () => server.load.inFlight(), queued: () => server.load.queued() };
  const metrics = serverMetrics(load);
  const upstream = await upstreamOf(named, serveOpts);
  const { limits, bounds } = listenerLimits(serveOpts, DEFAULT_WEBSOCKET_LIMITS, DEFAULT_LISTENER_BOUNDS);
  const listener = await listenWebSocket(
    {
      host: target.host,
      port: target.port,
      auth: auth.right,
      metricsPublic: serveOpts.metricsPublic === true,
      limits,
      bounds,
      pingIntervalMs: PING_INTERVAL_MS,
      metrics,
      log,
    },
    (connection) => server.serve(connection),
  );
  if (E.isLeft(listener)) {
    metrics.close();
    await upstream.upstream?.upstream.close();
    return reportError(listener.left, opts.json);
  }
  // Made once bound: a port that could not be taken opens no home (and logs no gate), and the
  // status line names the port the system gave (`view` asks for port 0). No await lies between
  // the bind and this, so no connection comes before the server.
  const { host, port } = listener.right;
  const url = `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const home = openingService(
    named,
    pricing,
    serveOpts,
    `JSON-RPC over WebSocket on ${url}, one message per text frame`,
    metrics,
    observedIndex(metrics, log),
  );
  const server = createRpcServer(home.service, {
    ...schedulingOf(serveOpts),
    onOverload: metrics.overloaded,
    ...upstream,
  });
  listening(listener.right);
  return servedUntilStopped(server, home, listener.right, upstream, metrics, log);
};
