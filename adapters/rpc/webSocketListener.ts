import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument } from '../../domain/errors.js';
import type { RpcConnection } from './connection.js';
import type { ServerMetrics } from './metrics.js';
import type { Log } from './structuredLog.js';
import type { WebSocketAuthPolicy } from './webSocketAuth.js';
import { authorizeUpgrade } from './webSocketAuth.js';
import type { WebSocketLimits } from './webSocketConnection.js';
import { PeerGone, webSocketConnection } from './webSocketConnection.js';
import { VIEWER_PREFIX, isOwnOrigin, serveViewerFile, viewerAuthHeaders } from './viewerFiles.js';

const isLoopback = (host: string): boolean => /^127\./.test(host) || host === '::1' || /^::ffff:127\./i.test(host);

export interface WebSocketListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly auth: WebSocketAuthPolicy;
  /** `GET /metrics` answered without the bearer token `auth` asks of connections (`--metrics-public`). */
  readonly metricsPublic?: boolean;
  readonly limits: WebSocketLimits;
  /** The server pings each peer this often; one that has not answered the previous ping is dropped. */
  readonly pingIntervalMs: number;
  readonly metrics: ServerMetrics;
  readonly log: Log;
}

export interface WebSocketListener {
  /** The address bound (the port the system chose for port 0). */
  readonly host: string;
  readonly port: number;
  /** The web viewer's address on this listener (with `#token=<token>` to fill in when auth is on). */
  readonly viewerUrl: string;
  /** Stop accepting, close every connection (1001) and wait for their serving to end. */
  readonly close: () => Promise<void>;
}

/** An HTTP answer with a plain-text body (Codex's refusals carry their reason). */
const answer = (res: ServerResponse, status: number, body = '', type = 'text/plain; charset=utf-8'): void => {
  res.writeHead(status, body === '' ? { 'content-length': 0 } : { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/** Refuse an upgrade on the raw socket, as an HTTP answer. */
const refuseUpgrade = (socket: Duplex, status: number, reason: string, body: string): void => {
  const head = body === '' ? 'content-length: 0' : `content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\nconnection: close\r\n\r\n${body}`);
};

/**
 * `serve --listen ws://IP:PORT`: JSON-RPC over WebSocket as `codex app-server` serves it — one
 * message per text frame, every connection served by `serveOne` (the home is shared: the caller
 * opens it once), `GET /readyz` and `/healthz` answered 200 with an empty body, any request with
 * an `Origin` header refused with 403 (a browser page may not drive the server) — beyond Codex,
 * but the web viewer's own page (`/viewer/`, `viewerFiles.ts`), served here, from its own origin —, the upgrade
 * authorized by `--ws-auth` (401 with Codex's words). Beyond Codex: `GET /metrics` (Prometheus
 * text; with `--ws-auth`, only with the same bearer token unless `metricsPublic`), pings that drop
 * dead peers, and the bounds of `webSocketConnection`. A non-loopback
 * address without auth is refused before anything is bound, as Codex refuses it.
 */
export const listenWebSocket = async (
  options: WebSocketListenerOptions,
  serveOne: (connection: RpcConnection) => Promise<void>,
): Promise<E.Either<EngineError, WebSocketListener>> => {
  const { host, port, auth, limits, metrics, log } = options;
  if (!isLoopback(host) && auth.mode === 'none')
    return E.left(
      invalidArgument(
        '--listen',
        `refusing to start non-loopback websocket listener ${host.includes(':') ? `[${host}]` : host}:${port} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``,
      ),
    );
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
  const serving = new Set<Promise<void>>();
  const alive = new WeakMap<WebSocket, boolean>();

  // The address bound, once listening: the viewer's page may upgrade from its own origin only.
  let boundAt = { host, port };
  const foreignOrigin = (req: IncomingMessage): boolean => req.headers.origin !== undefined && !isOwnOrigin(req.headers, boundAt);

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Only the viewer's own files are answered to a page, and only to its own origin.
    if (foreignOrigin(req) || (req.headers.origin !== undefined && !path.startsWith('/viewer'))) return answer(res, 403);
    // The viewer's files are public with auth on too: the page and its script hold no data (the
    // data comes over the socket, which the token opens), and the page must load to ask for it.
    if (serveViewerFile(path, req.method, res)) return;
    // Beyond Codex (which answers 400): a browser pointed at the listener is led to the viewer.
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(308, { location: VIEWER_PREFIX, 'content-length': 0 });
      res.end();
      return;
    }
    if (path === '/readyz' || path === '/healthz' || path === '/metrics') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405);
      // Probes stay open, as Codex's: they say only that the process answers.
      if (path !== '/metrics') return answer(res, 200);
      // The metrics tell what clients do (methods, rates, connections): with auth on, the same token, unless made public.
      const refusal = options.metricsPublic === true ? Promise.resolve(null) : authorizeUpgrade(req.headers, auth);
      refusal
        .then((refused) =>
          refused !== null ? answer(res, refused.status, refused.message) : metrics.text().then((text) => answer(res, 200, text, metrics.registry.contentType)),
        )
        .catch((err: unknown) => answer(res, 500, String(err)));
      return;
    }
    answer(res, 400, "Connection header did not include 'upgrade'");
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (foreignOrigin(req)) {
      metrics.upgradeRefused(403);
      log.warn('upgrade refused', { peer, status: 403, reason: 'Origin header' });
      return refuseUpgrade(socket, 403, 'Forbidden', '');
    }
    authorizeUpgrade(req.headers.origin === undefined ? req.headers : viewerAuthHeaders(req.headers), auth).then(
      (refusal) => {
        if (refusal !== null) {
          metrics.upgradeRefused(refusal.status);
          log.warn('upgrade refused', { peer, status: refusal.status, reason: refusal.message });
          return refuseUpgrade(socket, refusal.status, 'Unauthorized', refusal.message);
        }
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, peer));
      },
      (err: unknown) => {
        log.error('upgrade failed', { peer, error: String(err) });
        refuseUpgrade(socket, 500, 'Internal Server Error', '');
      },
    );
  };

  const accept = (ws: WebSocket, peer: string): void => {
    metrics.connectionOpened('ws');
    log.info('connection opened', { peer });
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (err) => log.warn('connection error', { peer, error: err.message }));
    const connection = webSocketConnection(ws, limits, {
      onSlowPeer: (waitingBytes) => {
        metrics.peerDropped('slow');
        log.warn('slow consumer dropped', { peer, maxBufferedBytes: limits.maxBufferedBytes, waitingBytes });
      },
      onBytesOut: metrics.bytesOut,
    });
    const served: Promise<void> = serveOne(connection)
      .catch((err: unknown) => {
        if (!(err instanceof PeerGone)) log.error('connection failed', { peer, error: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        if (ws.readyState === ws.OPEN) ws.close(1000);
        serving.delete(served);
      });
    serving.add(served);
    ws.on('close', (code) => {
      metrics.connectionClosed('ws');
      log.info('connection closed', { peer, code });
    });
  };

  const http = createServer(onRequest);
  http.on('upgrade', onUpgrade);
  const bound = await new Promise<E.Either<EngineError, AddressInfo>>((resolve) => {
    http.once('error', (err: NodeJS.ErrnoException) => resolve(E.left(invalidArgument('--listen', `cannot listen on ${host}:${port}: ${err.message}`))));
    http.listen(port, host, () => resolve(E.right(http.address() as AddressInfo)));
  });
  if (E.isLeft(bound)) return bound;
  boundAt = { host: bound.right.address, port: bound.right.port };

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        metrics.peerDropped('dead');
        log.warn('dead peer dropped', { pingIntervalMs: options.pingIntervalMs });
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingIntervalMs);
  pinger.unref();
  const hostPort = `${bound.right.family === 'IPv6' ? `[${bound.right.address}]` : bound.right.address}:${bound.right.port}`;
  // The token is the user's secret: the line says where it goes, never what it is.
  const viewerUrl = `http://${hostPort}${VIEWER_PREFIX}${auth.mode === 'none' ? '' : '#token=<token>'}`;
  log.info('listening', { url: `ws://${hostPort}`, auth: auth.mode, viewer: viewerUrl });

  return E.right({
    host: bound.right.address,
    port: bound.right.port,
    viewerUrl,
    close: async () => {
      clearInterval(pinger);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      for (const ws of wss.clients) ws.close(1001, 'server shutting down');
      http.closeAllConnections();
      await Promise.all([...serving]);
      await closed;
    },
  });
};
