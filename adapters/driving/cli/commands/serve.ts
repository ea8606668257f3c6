import { command } from '../commandSpec.js';
import { numberOption, option } from '../optionTable.js';
import { HOME_OPTIONS } from '../homeOptions.js';
import { PRICING_OPTION } from '../pricingOption.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION } from '../../../../protocol/codexVersions.js';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../rpc/boundedLines.js';
import { DEFAULT_LISTENER_BOUNDS } from '../../rpc/listenerBounds.js';
import { DEFAULT_MAX_QUEUED_PER_KEY, DEFAULT_MAX_REQUESTS_PER_CONNECTION } from '../../rpc/scheduler.js';

/** A setting of `serve`, under its own name. */
const setting = (param: string) => ({ param });
/** A number setting: its text as JSON would give it (the codec refuses what is not one). */
const numberSetting = (param: string) => ({ param, toParam: numberOption });

/** `rollout-engine serve`: the history API over JSON-RPC on stdio (or WebSocket, `--listen`), answered from the index. */
export const serveCommand = command({
  name: 'serve',
  description:
    'answer the history API (thread/list, read, turns/list, items/list) and its mutations (thread/fork, revert, rollback, review/start, thread/tokenUsage/read) over JSON-RPC on stdio or WebSocket',
  arguments: [],
  options: {
    listen: option(
      '--listen <url>',
      'transport endpoint, as codex app-server: `stdio://` or `ws://IP:PORT` (GET /readyz, /healthz, /metrics, and the web viewer at http://IP:PORT/viewer/ — printed on the start-up line; GET / leads there)',
      { default: 'stdio://', ...setting('listen') },
    ),
    wsAuth: option(
      '--ws-auth <mode>',
      'authentication of WebSocket connections: capability-token or signed-bearer-token (required off loopback)',
      setting('wsAuth'),
    ),
    wsTokenFile: option('--ws-token-file <path>', 'the capability-token file', setting('wsTokenFile')),
    wsTokenSha256: option(
      '--ws-token-sha256 <hex>',
      'hex SHA-256 digest of the capability token',
      setting('wsTokenSha256'),
    ),
    wsSharedSecretFile: option(
      '--ws-shared-secret-file <path>',
      'the shared secret (at least 32 bytes) signed JWT bearer tokens are checked with (HS256)',
      setting('wsSharedSecretFile'),
    ),
    wsIssuer: option('--ws-issuer <issuer>', 'expected issuer of signed JWT bearer tokens', setting('wsIssuer')),
    wsAudience: option(
      '--ws-audience <audience>',
      'expected audience of signed JWT bearer tokens',
      setting('wsAudience'),
    ),
    wsMaxClockSkewSeconds: option(
      '--ws-max-clock-skew-seconds <seconds>',
      'clock skew allowed when checking signed JWT bearer tokens (default 30)',
      numberSetting('wsMaxClockSkewSeconds'),
    ),
    metricsPublic: option(
      '--metrics-public',
      "with --ws-auth, answer GET /metrics without the bearer token (by default it asks for the one connections use: the metrics tell what clients do); /readyz, /healthz and the viewer's files (which hold no data) are always open",
      setting('metricsPublic'),
    ),
    chatgptBaseUrl: option(
      '--chatgpt-base-url <url>',
      "the ChatGPT plugin backend (remote plugin install and the startup sync); default: config.toml's chatgpt_base_url",
      setting('chatgptBaseUrl'),
    ),
    eventstore: option(
      '--eventstore <url>',
      "the log in EventStoreDB (esdb://…): --codex-home is this node's copy of it, followed and indexed; mutations append to the store and answer once this node has applied them",
      setting('eventstore'),
    ),
    upstream: option(
      '--upstream <codex|url>',
      'a real codex app-server for every method not answered here (accounts, models, thread/resume, turn/start and their requests to the client), one upstream connection per client: `codex` spawns `codex app-server` on the same home, on a Unix socket in a 0700 folder of its own (no port; restarted when it dies), `ws://HOST:PORT` connects to one running; real clients (`codex --remote ws://…`) then work on the engine',
      setting('upstream'),
    ),
    upstreamBin: option(
      '--upstream-bin <path>',
      'the codex binary --upstream codex runs (default: `codex` on PATH)',
      setting('upstreamBin'),
    ),
    upstreamTokenFile: option(
      '--upstream-token-file <path>',
      'the capability token of the --upstream ws:// server (sent as a bearer token)',
      setting('upstreamTokenFile'),
    ),
    upstreamConnectTimeoutMs: option(
      '--upstream-connect-timeout-ms <ms>',
      "how long a link to the upstream may take (its WebSocket handshake, then the client's initialize replayed on it); past it the client's initialize is answered here and forwarded requests get an error (default 10000)",
      numberSetting('upstreamConnectTimeoutMs'),
    ),
    upstreamRequestTimeoutMs: option(
      '--upstream-request-timeout-ms <ms>',
      "how long a forwarded request may wait for the upstream's answer before the client gets an error (default 120000)",
      numberSetting('upstreamRequestTimeoutMs'),
    ),
    codexVersion: option(
      '--codex-version <version>',
      `the Codex version whose app-server protocol to speak (${CODEX_VERSIONS.join(', ')}); default: ROLLOUT_ENGINE_CODEX_VERSION, else the --upstream's, else ${NEWEST_CODEX_VERSION}. A Codex client that declares a version we speak at initialize (clientInfo codex-tui) gets that one`,
      setting('codexVersion'),
    ),
    logLevel: option(
      '--log-level <level>',
      'structured JSON logs on stderr at this level and above: error, warn, info, debug',
      {
        default: 'info',
        ...setting('logLevel'),
      },
    ),
    gateWaitMs: option(
      '--gate-wait-ms <ms>',
      'how long to wait for another process backfilling the index',
      numberSetting('gateWaitMs'),
    ),
    maxRequestBytes: option(
      '--max-request-bytes <n>',
      `the largest message a client may send; a longer one is refused without being held (default ${DEFAULT_MAX_REQUEST_BYTES}; 16 MiB on WebSocket)`,
      numberSetting('maxRequestBytes'),
    ),
    maxRequestsPerConnection: option(
      '--max-requests-per-connection <n>',
      `requests one client may have waiting for their answers; one more is answered -32001 "Server overloaded; retry later." (default ${DEFAULT_MAX_REQUESTS_PER_CONNECTION})`,
      numberSetting('maxRequestsPerConnection'),
    ),
    maxQueuedPerThread: option(
      '--max-queued-per-thread <n>',
      `requests that may wait for one thread behind those running on it; one more is answered -32001 (default ${DEFAULT_MAX_QUEUED_PER_KEY})`,
      numberSetting('maxQueuedPerThread'),
    ),
    maxConnections: option(
      '--max-connections <n>',
      `with --listen ws://: WebSocket sessions at once; one more upgrade is answered 503 (default ${DEFAULT_LISTENER_BOUNDS.maxConnections}, within half the process's open-file limit)`,
      numberSetting('maxConnections'),
    ),
    maxPendingConnections: option(
      '--max-pending-connections <n>',
      `with --listen ws://: connections without a session (a request head on its way, an HTTP request); one more drops the oldest with 503, never a session (default ${DEFAULT_LISTENER_BOUNDS.maxHeads})`,
      numberSetting('maxPendingConnections'),
    ),
    headTimeoutMs: option(
      '--head-timeout-ms <ms>',
      `with --listen ws://: how long a connection may take to send its request head (default ${DEFAULT_LISTENER_BOUNDS.headTimeoutMs})`,
      numberSetting('headTimeoutMs'),
    ),
    maxInFlightBytes: option(
      '--max-in-flight-bytes <n>',
      `with --listen ws://: bytes of messages in progress across all clients; past it the client holding the most is closed 1013 (default ${DEFAULT_LISTENER_BOUNDS.maxInFlightBytes})`,
      numberSetting('maxInFlightBytes'),
    ),
    ...PRICING_OPTION,
    ...HOME_OPTIONS,
  },
  params: async () => ({ codec: (await import('../serveOptions.js')).ServeOptions }),
  run: async ({ opts, params }) => (await import('../serveProcess.js')).serve(opts, params),
});
