import type { CodexVersion } from '../../../protocol/codexVersions.js';
import type { Upstream } from './upstream.js';

/** The bounds of a server's ingress; a request over one is answered `SERVER_OVERLOADED` at once. */
export interface RpcServerOptions {
  /** Requests one connection may have accepted and not yet answered. */
  readonly maxRequestsPerConnection?: number;
  /** Requests that may wait for one key (a thread) behind the ones running on it. */
  readonly maxQueuedPerKey?: number;
  /** Told of every request refused as overloaded (the metrics' counter). */
  readonly onOverload?: (method: string) => void;
  /**
   * `serve --upstream`: every method not in `answeredHere` (the entries answered `here`, `withUpstream`),
   * the client's notifications and its replies to the upstream's requests go to a real
   * `codex app-server`, one upstream connection per client connection; what the upstream sends
   * comes back to the connection it belongs to.
   */
  readonly upstream?: { readonly upstream: Upstream; readonly answeredHere: ReadonlySet<string> };
  /**
   * The Codex version the server speaks (`--codex-version`, its env, else the newest); with an
   * upstream, the upstream's (its `initialize` answer) when we speak it. A connection whose Codex
   * client declares a version we speak speaks that one (`connectionVersion`).
   */
  readonly codexVersion?: CodexVersion;
  /** Told of each connection's version once it is initialized (the log). */
  readonly onConnectionVersion?: (version: CodexVersion, client: string | undefined) => void;
}
