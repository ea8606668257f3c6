// `serve --upstream`: the upstream the server forwards to (a spawned Codex or a ws:// server), and
// whether a spawned Codex starts, checked before serve listens.
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { refusedValue } from '../../../domain/errors.js';
import type { RpcServerOptions } from '../rpc/server.js';
import { jsonLog } from '../rpc/structuredLog.js';
import type { NamedHome } from './homeOptions.js';
import type { ServeOptions } from './serveOptions.js';

/** `--upstream`: the server's options for it (the methods answered here: the protocol's table), or none. */
export const upstreamOf = async (
  named: NamedHome,
  serveOpts: ServeOptions,
): Promise<Pick<RpcServerOptions, 'upstream'>> => {
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
export const codexStarts = async (named: NamedHome, serveOpts: ServeOptions): Promise<E.Either<EngineError, void>> => {
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
