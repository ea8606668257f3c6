// `serve`'s options: the codec that decodes them, and the server's scheduling and Codex version they give.
import * as t from 'io-ts';
import { U32 } from '../../../protocol/jsonRpc.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION, serverVersionOf } from '../../../protocol/codexVersions.js';
import type { CodexVersion } from '../../../protocol/codexVersions.js';
import type { RpcServerOptions } from '../rpc/server.js';
import { LOG_LEVELS, jsonLog } from '../rpc/structuredLog.js';
import type { LogLevel } from '../rpc/structuredLog.js';
import { EventStoreUrl } from '../../driven/eventstore/eventStoreOptions.js';

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
export type ServeOptions = t.TypeOf<typeof ServeOptions>;

/** The server's options `serve`'s flags give: its request bounds, the Codex version it speaks, each connection's version logged. */
export const schedulingOf = (serveOpts: ServeOptions): RpcServerOptions => {
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
