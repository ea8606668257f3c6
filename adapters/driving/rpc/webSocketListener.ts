import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import * as E from 'fp-ts/lib/Either.js';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import type { RpcConnection } from './connection.js';
import { descriptorLimit } from '../../driven/system/descriptorLimit.js';
import type { ListenerBounds } from './listenerBounds.js';
import { DEFAULT_LISTENER_BOUNDS, fitToDescriptors } from './listenerBounds.js';
import type { ServerMetrics } from './metrics.js';
import type { Log } from './structuredLog.js';
import type { WebSocketAuthPolicy } from './webSocketAuth.js';
import { authorizeUpgrade } from './webSocketAuth.js';
import type { WebSocketLimits } from './webSocketConnection.js';
import { PeerGone, webSocketConnection } from './webSocketConnection.js';
import { VIEWER_PREFIX, isOwnOrigin, serveViewerFile, viewerAuthHeaders } from './viewerFiles.js';

/** A client's control frame (a ping or pong, payload at most 125 bytes): 2 bytes of header and a 4-byte mask. */
const CLIENT_CONTROL_HEADER = 6;

/** Node's own `requestTimeout` (a request's head and body), kept unless the head's own is longer (Node asks no more of it). */
const NODE_REQUEST_TIMEOUT_MS = 300_000;

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
  /** Connections, heads and bytes in progress the listener holds (`listenerBounds.ts`); fitted to the process's descriptors. */
  readonly bounds?: ListenerBounds;
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
  res.writeHead(
    status,
    body === '' ? { 'content-length': 0 } : { 'content-type': type, 'content-length': Buffer.byteLength(body) },
  );
  res.end(body);
};

/** Refuse an upgrade on the raw socket, as an HTTP answer. */
const refuseUpgrade = (socket: Duplex, status: number, reason: string, body: string): void => {
  const head =
    body === ''
      ? 'content-length: 0'
      : `content-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}`;
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
 * long: one listener: its HTTP, upgrade and connection handlers, pinger and close share the sessions, peers and sockets it holds
 */
export const listenWebSocket = (
  options: WebSocketListenerOptions,
  serveOne: (connection: RpcConnection) => Promise<void>,
): Promise<E.Either<EngineError, WebSocketListener>> =>
  useCase(async () => {
    const { host, port, auth, limits, metrics, log } = options;
    if (!isLoopback(host) && auth.mode === 'none')
      return stop(
        invalidArgument(
          '--listen',
          `refusing to start non-loopback websocket listener ${host.includes(':') ? `[${host}]` : host}:${port} without auth; configure \`--ws-auth capability-token\` or \`--ws-auth signed-bearer-token\``,
        ),
      );
    const bounds = fitToDescriptors(options.bounds ?? DEFAULT_LISTENER_BOUNDS, await descriptorLimit());
    const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false });
    const serving = new Set<Promise<void>>();
    // Each session and the bytes of the message it has in progress; their sum across sessions.
    const sessions = new Map<WebSocket, number>();
    const peers = new WeakMap<WebSocket, string>();
    let inFlight = 0;
    /** `delta` bytes more (less) in progress for `ws`; past the budget, the session holding the most is closed. */
    const holding = (ws: WebSocket, peer: string, delta: number): void => {
      const held = sessions.get(ws);
      if (held === undefined) return;
      sessions.set(ws, held + delta);
      inFlight += delta;
      if (inFlight <= bounds.maxInFlightBytes) return;
      let [most, mostHeld] = [ws, held + delta];
      for (const [s, n] of sessions) if (n > mostHeld) [most, mostHeld] = [s, n];
      inFlight -= mostHeld;
      sessions.delete(most);
      metrics.peerDropped('busy');
      log.warn('connection dropped', {
        peer: most === ws ? peer : (peers.get(most) ?? '?'),
        reason: 'too many bytes of messages in progress',
        heldBytes: mostHeld,
        maxInFlightBytes: bounds.maxInFlightBytes,
      });
      most.close(1013, 'server busy: too many bytes of messages in progress; retry later');
      // What it sent is not read further: its buffers go now, not when it answers the close.
      most.terminate();
    };
    const alive = new WeakMap<WebSocket, boolean>();

    // The address bound, once listening: the viewer's page may upgrade from its own origin only.
    let boundAt = { host, port };
    const foreignOrigin = (req: IncomingMessage): boolean =>
      req.headers.origin !== undefined && !isOwnOrigin(req.headers, boundAt);

    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      // Only the viewer's own files are answered to a page, and only to its own origin.
      if (foreignOrigin(req) || (req.headers.origin !== undefined && !path.startsWith('/viewer')))
        return answer(res, 403);
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
            refused !== null
              ? answer(res, refused.status, refused.message)
              : metrics.text().then((text) => answer(res, 200, text, metrics.registry.contentType)),
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
          // Checked once authorized: a party without the token is refused 401 whatever the load.
          if (sessions.size >= bounds.maxConnections) {
            metrics.upgradeRefused(503);
            log.warn('upgrade refused', {
              peer,
              status: 503,
              reason: 'too many connections',
              maxConnections: bounds.maxConnections,
            });
            return refuseUpgrade(
              socket,
              503,
              'Service Unavailable',
              `too many connections: the server holds ${bounds.maxConnections}; retry later`,
            );
          }
          // A session now: never dropped to make room for a head.
          heads.delete(socket as Socket);
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, peer, socket));
        },
        (err: unknown) => {
          log.error('upgrade failed', { peer, error: String(err) });
          refuseUpgrade(socket, 500, 'Internal Server Error', '');
        },
      );
    };

    const accept = (ws: WebSocket, peer: string, socket: Duplex): void => {
      sessions.set(ws, 0);
      peers.set(ws, peer);
      // Counted before ws buffers the chunk (prepended): a message in progress is bytes ws holds
      // until it completes; a complete one leaves the count (then bounded by the inbox,
      // webSocketConnection.ts). A control frame between fragments is not message bytes: taken off.
      socket.prependListener('data', (chunk: Buffer) => holding(ws, peer, chunk.length));
      ws.on('message', () => holding(ws, peer, -(sessions.get(ws) ?? 0)));
      const control = (data: Buffer): void =>
        holding(ws, peer, -Math.min(sessions.get(ws) ?? 0, CLIENT_CONTROL_HEADER + data.length));
      ws.on('ping', control);
      metrics.connectionOpened('ws');
      log.info('connection opened', { peer });
      alive.set(ws, true);
      ws.on('pong', (data) => {
        alive.set(ws, true);
        control(data);
      });
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
          if (!(err instanceof PeerGone))
            log.error('connection failed', { peer, error: err instanceof Error ? err.message : String(err) });
        })
        .finally(() => {
          if (ws.readyState === ws.OPEN) ws.close(1000);
          serving.delete(served);
        });
      serving.add(served);
      ws.on('close', (code) => {
        inFlight -= sessions.get(ws) ?? 0;
        sessions.delete(ws);
        metrics.connectionClosed('ws');
        log.info('connection closed', { peer, code });
      });
    };

    // The heads (connections not upgraded), oldest first: when one more comes, the oldest goes.
    const heads = new Set<Socket>();
    const onConnection = (socket: Socket): void => {
      heads.add(socket);
      socket.once('close', () => heads.delete(socket));
      if (heads.size <= bounds.maxHeads) return;
      const oldest = heads.values().next().value!;
      heads.delete(oldest);
      metrics.peerDropped('head');
      log.warn('connection dropped', {
        peer: `${oldest.remoteAddress ?? '?'}:${oldest.remotePort ?? '?'}`,
        reason: 'too many connections without a session',
        maxHeads: bounds.maxHeads,
      });
      const body = `too many connections without a session: the server holds ${bounds.maxHeads}; retry later`;
      // Written before the close: on a socket that sent no request yet, the kernel takes it at once.
      oldest.end(
        `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      oldest.destroy();
    };

    const http = createServer(
      {
        headersTimeout: bounds.headTimeoutMs,
        requestTimeout: Math.max(NODE_REQUEST_TIMEOUT_MS, bounds.headTimeoutMs),
        connectionsCheckingInterval: Math.min(1_000, bounds.headTimeoutMs),
      },
      onRequest,
    );
    http.on('connection', onConnection);
    http.on('upgrade', onUpgrade);
    const bound = await take(
      new Promise<E.Either<EngineError, AddressInfo>>((resolve) => {
        http.once('error', (err: NodeJS.ErrnoException) =>
          resolve(E.left(invalidArgument('--listen', `cannot listen on ${host}:${port}: ${err.message}`))),
        );
        http.listen(port, host, () => resolve(E.right(http.address() as AddressInfo)));
      }),
    );
    boundAt = { host: bound.address, port: bound.port };

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
    const hostPort = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
    // The token is the user's secret: the line says where it goes, never what it is.
    const viewerUrl = `http://${hostPort}${VIEWER_PREFIX}${auth.mode === 'none' ? '' : '#token=<token>'}`;
    log.announce('listening', { url: `ws://${hostPort}`, auth: auth.mode, viewer: viewerUrl });

    return {
      host: bound.address,
      port: bound.port,
      viewerUrl,
      close: async () => {
        clearInterval(pinger);
        const closed = new Promise<void>((resolve) => http.close(() => resolve()));
        for (const ws of wss.clients) ws.close(1001, 'server shutting down');
        http.closeAllConnections();
        await Promise.all([...serving]);
        await closed;
      },
    };
  })();
