import { mkdirSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { refusedValue, renderError } from '../../../domain/errors.js';
import { createRpcServer } from '../rpc/server.js';
import type { OpeningService, RpcService } from '../rpc/homeOpening.js';
import type { RpcServerOptions } from '../rpc/server.js';
import { DEFAULT_MAX_OUTBOUND_BYTES, lineConnection } from '../rpc/connection.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../rpc/boundedLines.js';
import { U32 } from '../../../protocol/jsonRpc.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION, serverVersionOf } from '../../../protocol/codexVersions.js';
import type { CodexVersion } from '../../../protocol/codexVersions.js';
import { initialize } from '../rpc/methods/initialize.js';
import type { ServerMetrics } from '../rpc/metrics.js';
import type { HomePluginPorts } from '../../driven/plugins/homeRemotePlugins.js';
import { EXIT, reportError } from './exitCodes.js';
import { homeOf } from './homeOptions.js';
import { resolveCodexHome } from '../composition/layout.js';
import type { HomeOptions, NamedHome } from './homeOptions.js';
import { cliFeedback } from './progress.js';
import { LOG_LEVELS, jsonLog } from '../rpc/structuredLog.js';
import type { LogLevel } from '../rpc/structuredLog.js';
import type { ListenTarget } from '../rpc/listenUrl.js';
import type { IndexObserver } from '../../../indexer/reads/indexObserver.js';
import { observedIndex } from '../rpc/observedIndex.js';
import { EventStoreUrl } from '../../driven/eventstore/eventStoreOptions.js';
import type { PricingTable } from '../../../domain/tokens/pricing.js';
import { pricingOption } from './pricingFile.js';
import { ownMadeFoldersSync } from '../../driven/fs/ownership.js';
import { terminalLines } from './terminalText.js';
import { openBrowser } from './browserOpener.js';

const Positive = t.refinement(U32, (n) => n >= 1, 'a whole number from 1 to 4294967295');

/** serve's own options, decoded like every CLI option (a wait of whole milliseconds; a message of at least 1 KiB; bounds of at least 1). */
export const ServeOptions = t.intersection([
  t.partial({
    gateWaitMs: U32,
    maxRequestBytes: t.refinement(U32, (n) => n >= 1024, 'a whole number of bytes from 1024 to 4294967295'),
    maxRequestsPerConnection: Positive,
    maxQueuedPerThread: Positive,
    maxConnections: Positive,
    maxPendingConnections: Positive,
    headTimeoutMs: Positive,
    maxInFlightBytes: t.refinement(U32, (n) => n >= 1024, 'a whole number of bytes from 1024 to 4294967295'),
    wsAuth: t.keyof({ 'capability-token': null, 'signed-bearer-token': null }),
    wsTokenFile: t.string,
    wsTokenSha256: t.string,
    wsSharedSecretFile: t.string,
    wsIssuer: t.string,
    wsAudience: t.string,
    wsMaxClockSkewSeconds: U32,
    metricsPublic: t.boolean,
    chatgptBaseUrl: t.string,
    eventstore: EventStoreUrl,
    upstream: t.union([
      t.literal('codex'),
      t.refinement(t.string, (u) => /^wss?:\/\/[^/]+/.test(u), 'codex, or a ws:// or wss:// URL'),
    ]),
    upstreamBin: t.string,
    upstreamTokenFile: t.string,
    upstreamConnectTimeoutMs: Positive,
    upstreamRequestTimeoutMs: Positive,
    pricing: t.string,
    codexVersion: t.keyof(Object.fromEntries(CODEX_VERSIONS.map((v) => [v, null])) as Record<CodexVersion, null>),
  }),
  t.type({
    listen: t.string,
    logLevel: t.keyof(Object.fromEntries(LOG_LEVELS.map((l) => [l, null])) as Record<LogLevel, null>),
  }),
]);
type ServeOptions = t.TypeOf<typeof ServeOptions>;

/**
 * The remote plugin sync Codex's app-server runs at start (recreate a current bundle's deleted
 * sidecar, install new releases, remove stale cache roots), behind the answers; its outcome or
 * failure is logged, never fatal.
 */
const startRemotePluginSync = (plugins: () => Promise<HomePluginPorts>, serveOpts: ServeOptions): void => {
  const log = jsonLog(serveOpts.logLevel);
  void plugins()
    .then((p) => p.startupSync())
    .then((r) => {
      if (E.isLeft(r)) log.warn('remote installed plugin bundle sync failed', { error: renderError(r.left) });
      else if (r.right !== 'skipped') log.info('completed remote installed plugin bundle sync', { ...r.right });
    });
};

/**
 * The home `serve` serves, checked before it listens: a folder that is not a Codex home is refused
 * (`homeOf`). With --eventstore, --codex-home is this node's copy of the log: made if it is not there yet.
 */
const servedHome = (opts: HomeOptions, serveOpts: ServeOptions): E.Either<EngineError, NamedHome> => {
  if (serveOpts.eventstore === undefined) return homeOf(opts);
  const nodeHome = resolveCodexHome(opts.codexHome);
  // Made as any folder the engine makes: its parent's owner's (ownership.ts).
  ownMadeFoldersSync(mkdirSync(nodeHome, { recursive: true, mode: 0o700 }), nodeHome);
  return homeOf(opts, 'replica');
};

/** How the WebSocket listener pings: a peer silent for two intervals is dropped. */
const PING_INTERVAL_MS = 30_000;

/**
 * The home's service: `initialize` is answered before the engine is loaded and the home opened
 * (both are done once it is answered, or at once on WebSocket): a client's first answer does not
 * wait for a big home's index. `open` runs once, whoever calls it first.
 */
const openingService = (
  named: NamedHome,
  pricing: PricingTable,
  serveOpts: ServeOptions,
  channel: string,
  metrics: ServerMetrics | undefined,
  observer: IndexObserver,
) => {
  const { codexHome, indexDir } = named;
  let close = async (): Promise<void> => {};
  const openHome = async (): Promise<E.Either<EngineError, RpcService>> => {
    const [{ openCodexHome }, { ALL_METHODS }, { threadSubscriptions }] = await Promise.all([
      import('../composition/openCodexHome.js'),
      import('../rpc/methods/bound.js'),
      import('../rpc/threadSubscriptions.js'),
    ]);
    // Live notifications: the watch tells the hub of each rollout change as it comes (set once the home is open).
    let fileChanged: (path: string) => void = () => undefined;
    // stdout may be the JSON-RPC channel: status lines (the first build, long catch-ups) go to stderr only.
    // The first build runs behind the answers (a thread asked for meanwhile is indexed first); the
    // rollout folders are watched so a thread/list catches up only what changed.
    const homeOptions = {
      gateWaitMs: serveOpts.gateWaitMs,
      onStatus: cliFeedback.onStatus,
      backfill: 'background',
      watch: true,
      onRolloutChanged: (path: string) => fileChanged(path),
      observer,
      chatgptBaseUrl: serveOpts.chatgptBaseUrl,
    } as const;
    const eventstore = serveOpts.eventstore;
    // --eventstore: the log in EventStoreDB, this node's copy followed (caught up first) and indexed; writes go to the store.
    const opened =
      eventstore === undefined
        ? await openCodexHome(codexHome, indexDir, homeOptions)
        : await (
            await import('../composition/openEventStoreHome.js')
          ).openEventStoreHome(eventstore, codexHome, indexDir, {
            ...homeOptions,
            onFollowFailed: (error) => reportError(error),
          });
    cliFeedback.settle();
    if (E.isLeft(opened)) {
      reportError(opened.left);
      return opened;
    }
    const ahead = opened.right.aheadOfBackfill;
    const log = jsonLog(serveOpts.logLevel);
    const subscriptions = threadSubscriptions(opened.right.mutations, {
      run: ahead,
      onError: (threadId, error) => log.warn('live notifications failed', { threadId, error: renderError(error) }),
      // A follower that takes nothing while the thread grows: what waits for it grows a step a change, up to its bound.
      onPushed: (threadId) => log.info('live notifications pushed to stalled followers', { threadId }),
    });
    fileChanged = subscriptions.fileChanged;
    close = async () => {
      subscriptions.close();
      await opened.right.close();
    };
    cliFeedback.ready(`serving ${codexHome}: ${channel}`);
    startRemotePluginSync(opened.right.plugins, serveOpts);
    return E.right({
      ctx: {
        codexHome,
        ports: opened.right.mutations,
        externalAgents: opened.right.externalAgents,
        plugins: opened.right.plugins,
        pricing,
      },
      methods: ALL_METHODS,
      subscriptions,
      // Each request runs ahead of the build behind it (and, on WebSocket, is timed into the metrics).
      middleware: { aheadOfBackfill: ahead, ...(metrics === undefined ? {} : { metrics }) },
    });
  };
  let opening: ReturnType<typeof openHome> | null = null;
  const service: OpeningService = { codexHome, early: [initialize], open: () => (opening ??= openHome()) };
  return { service, close: () => close() };
};

const schedulingOf = (serveOpts: ServeOptions): RpcServerOptions => {
  const log = jsonLog(serveOpts.logLevel);
  return {
    maxRequestsPerConnection: serveOpts.maxRequestsPerConnection,
    maxQueuedPerKey: serveOpts.maxQueuedPerThread,
    codexVersion: serveCodexVersion(serveOpts),
    onConnectionVersion: (codexVersion, client) =>
      log.info('connection speaks codex', { codexVersion, client: client ?? null }),
  };
};

/** The version serve speaks: `--codex-version`, else `ROLLOUT_ENGINE_CODEX_VERSION` (checked at start), else the newest; an upstream's replaces it per connection. */
const serveCodexVersion = (serveOpts: ServeOptions): CodexVersion => {
  const chosen = serverVersionOf(serveOpts.codexVersion, process.env['ROLLOUT_ENGINE_CODEX_VERSION']);
  return 'version' in chosen ? chosen.version : NEWEST_CODEX_VERSION;
};

/** `--upstream`: the server's options for it (the methods answered here: the protocol's table), or none. */
const upstreamOf = async (named: NamedHome, serveOpts: ServeOptions): Promise<Pick<RpcServerOptions, 'upstream'>> => {
  if (serveOpts.upstream === undefined) return {};
  const [{ spawnedUpstream }, { webSocketUpstream }, { METHOD_ENTRIES }] = await Promise.all([
    import('../rpc/spawnedUpstream.js'),
    import('../rpc/upstream.js'),
    import('../../../protocol/methods.js'),
  ]);
  const timeouts = {
    ...(serveOpts.upstreamConnectTimeoutMs === undefined ? {} : { connectMs: serveOpts.upstreamConnectTimeoutMs }),
    ...(serveOpts.upstreamRequestTimeoutMs === undefined ? {} : { requestMs: serveOpts.upstreamRequestTimeoutMs }),
  };
  const upstreamOptions = { timeouts, log: jsonLog(serveOpts.logLevel) };
  const upstream =
    serveOpts.upstream === 'codex'
      ? spawnedUpstream({ bin: serveOpts.upstreamBin ?? 'codex', codexHome: named.codexHome, ...upstreamOptions })
      : webSocketUpstream(serveOpts.upstream, serveOpts.upstreamTokenFile, upstreamOptions);
  return {
    upstream: {
      upstream,
      answeredHere: new Set(METHOD_ENTRIES.filter((e) => e.withUpstream === 'here').map((e) => e.name)),
    },
  };
};

/** How long `codex --version` may take at start before `--upstream codex` is refused. */
const CODEX_VERSION_TIMEOUT_MS = 10_000;

/**
 * `--upstream codex`: whether Codex starts (`codex --version`), checked before serve listens, so
 * a missing or broken binary is refused at start with where to get it, not at the first forwarded
 * request. Other upstreams (none, `ws://`) have nothing to start.
 */
const codexStarts = async (named: NamedHome, serveOpts: ServeOptions): Promise<E.Either<EngineError, void>> => {
  if (serveOpts.upstream !== 'codex') return E.right(undefined);
  const { codexVersion } = await import('../rpc/spawnedUpstream.js');
  const bin = serveOpts.upstreamBin ?? 'codex';
  const version = await codexVersion(bin, named.codexHome, CODEX_VERSION_TIMEOUT_MS);
  if (E.isRight(version)) {
    jsonLog(serveOpts.logLevel).info('upstream codex found', { bin, version: version.right });
    return E.right(undefined);
  }
  return E.left(
    refusedValue(
      '--upstream',
      `--upstream codex cannot start Codex: ${version.left}. Install it (npm install -g @openai/codex), or give its path with --upstream-bin PATH ` +
        '(a clone of rollout-engine has it at node_modules/.bin/codex)',
    ),
  );
};

/** Resolves at the first SIGINT or SIGTERM (main.ts's Ctrl-C exit would cut answers short). */
const stopSignal = (): Promise<string> => {
  process.removeAllListeners('SIGINT');
  return new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
};

const serveStdio = async (named: NamedHome, pricing: PricingTable, serveOpts: ServeOptions): Promise<void> => {
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

/**
 * `--listen ws://IP:PORT`: one server and one home for every connection; runs until SIGINT /
 * SIGTERM, then drains. `listening` is told the listener once it is bound.
 */
const serveWebSocket = async (
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
  const limits = {
    ...DEFAULT_WEBSOCKET_LIMITS,
    ...(serveOpts.maxRequestBytes === undefined ? {} : { maxMessageBytes: serveOpts.maxRequestBytes }),
  };
  const bounds = {
    maxConnections: serveOpts.maxConnections ?? DEFAULT_LISTENER_BOUNDS.maxConnections,
    maxHeads: serveOpts.maxPendingConnections ?? DEFAULT_LISTENER_BOUNDS.maxHeads,
    headTimeoutMs: serveOpts.headTimeoutMs ?? DEFAULT_LISTENER_BOUNDS.headTimeoutMs,
    maxInFlightBytes: serveOpts.maxInFlightBytes ?? DEFAULT_LISTENER_BOUNDS.maxInFlightBytes,
  };
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
  const stop = stopSignal();
  // The home opens now, not at the first client: a failure to open it ends the server.
  const opened = home.service
    .open()
    .then((o) => (E.isLeft(o) ? 'the home could not be opened' : new Promise<string>(() => undefined)));
  const why = await Promise.race([stop, opened]);
  log.info('shutting down', { why });
  // The upstream's links are cut at once: a request waiting on it is answered, not waited for.
  await Promise.all([server.shutdown(), upstream.upstream?.upstream.close()]);
  await listener.right.close();
  metrics.close();
  await home.close();
};

/** What `rollout-engine serve` does with its decoded settings: serve the home on the transport `--listen` names until stdin ends or a signal. */
export const serve = async (opts: HomeOptions, serveOpts: ServeOptions): Promise<void> => {
  const { parseListenUrl } = await import('../rpc/listenUrl.js');
  const target = parseListenUrl(serveOpts.listen);
  if (E.isLeft(target)) return reportError(target.left, opts.json);
  const named = servedHome(opts, serveOpts);
  if (E.isLeft(named)) return reportError(named.left, opts.json);
  const startable = await codexStarts(named.right, serveOpts);
  if (E.isLeft(startable)) return reportError(startable.left, opts.json);
  const version = serverVersionOf(serveOpts.codexVersion, process.env['ROLLOUT_ENGINE_CODEX_VERSION']);
  if ('refused' in version)
    return reportError(refusedValue('ROLLOUT_ENGINE_CODEX_VERSION', version.refused), opts.json);
  const pricing = await pricingOption(serveOpts.pricing);
  if (E.isLeft(pricing)) return reportError(pricing.left, opts.json);
  return target.right.kind === 'stdio'
    ? serveStdio(named.right, pricing.right, serveOpts)
    : serveWebSocket(opts, named.right, pricing.right, serveOpts, target.right);
};

/** `view`'s own options: a loopback port (0: the system picks one), whether to start a browser, and `--pricing FILE` (as serve's). */
export const ViewOptions = t.partial({
  port: t.refinement(U32, (n) => n <= 65535, 'a port number from 0 to 65535'),
  open: t.boolean,
  pricing: t.string,
});
type ViewOptions = t.TypeOf<typeof ViewOptions>;

/** What `rollout-engine view` does: serve the home on loopback, print the viewer's address, open a browser on it; until Ctrl-C. */
export const view = async (opts: HomeOptions, v: ViewOptions): Promise<void> => {
  const port = v.port ?? 0;
  const serveOpts: ServeOptions = { listen: `ws://127.0.0.1:${port}`, logLevel: 'warn' };
  const named = servedHome(opts, serveOpts);
  if (E.isLeft(named)) return reportError(named.left, opts.json);
  const pricing = await pricingOption(v.pricing);
  if (E.isLeft(pricing)) return reportError(pricing.left, opts.json);
  return serveWebSocket(
    opts,
    named.right,
    pricing.right,
    serveOpts,
    { kind: 'ws', host: '127.0.0.1', port },
    (listener) => {
      process.stdout.write(`${terminalLines(`viewer: ${listener.viewerUrl} (Ctrl-C stops)`)}\n`);
      if (v.open !== false) openBrowser(listener.viewerUrl);
    },
  );
};
