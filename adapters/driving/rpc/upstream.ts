// `serve --upstream`: the methods the engine does not answer (accounts, models, thread/resume,
// turn/start and the server→client requests a turn makes) go to a real `codex app-server`, one
// upstream WebSocket connection per client connection (Codex keeps its subscriptions per
// connection). The upstream is either spawned here (`codex app-server --listen unix://PATH` on the
// same CODEX_HOME, restarted with back-off when it dies) or one already running (`ws://HOST:PORT`).
//
// What the upstream sends is decoded before it is used (a frame that is not a JSON-RPC message is
// logged and dropped), and every wait on it is bounded: the handshake, the client's `initialize`
// replayed, each forwarded request. Closing the upstream cuts its links at once (SIGTERM). The
// spawned upstream's process (start, restarts, stop) is `spawnedUpstream.ts`'s; here the links.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { WebSocket } from 'ws';
import { INTERNAL_ERROR, RpcMessageFromServer } from '../../../protocol/jsonRpc.js';
import type { RpcError } from '../../../protocol/jsonRpc.js';
import type { Log } from './structuredLog.js';
import { silentLog } from './structuredLog.js';
import { parseJson } from '../../../domain/jsonNesting.js';

type Id = string | number;

/** An answer from the upstream, or the error that stands for it when the upstream cannot answer (`unavailable`: why). */
export type UpstreamReply = { readonly result: unknown } | { readonly error: RpcError; readonly unavailable?: string };

/** What the upstream sends unasked: a notification, or a request of its own (approvals, `item/tool/call`). */
export interface UpstreamMessage {
  readonly method: string;
  readonly params?: unknown;
  /** Present on a server→client request: the client's reply goes back with `respond`. */
  readonly id?: Id;
}

/** One client connection's link to the upstream. */
export interface UpstreamLink {
  /** `timeoutMs`: this request's bound, instead of the upstream's request timeout. */
  readonly request: (method: string, params: unknown, timeoutMs?: number) => Promise<UpstreamReply>;
  readonly notify: (method: string, params?: unknown) => void;
  /** The client's reply to a request the upstream made. */
  readonly respond: (id: Id, reply: { readonly result?: unknown; readonly error?: unknown }) => void;
  /** Still connected: a closed link is made again (the upstream restarted). */
  readonly isOpen: () => boolean;
  readonly close: () => void;
}

/** How long the engine waits on the upstream; past either, the client is answered `upstreamUnavailable`. */
export interface UpstreamTimeouts {
  /** Making a link: the WebSocket handshake, and then the client's `initialize` replayed on it (the client's `initialize` waits for both). */
  readonly connectMs: number;
  /** A forwarded request's answer (a turn's own requests answer at once; the turn runs behind them). */
  readonly requestMs: number;
}

export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = { connectMs: 10_000, requestMs: 120_000 };

export interface Upstream {
  /** What the start-up line and errors call it. */
  readonly describe: string;
  readonly timeouts: UpstreamTimeouts;
  /** A link for one client connection; fails with a readable reason when the upstream cannot be reached. `onClosed`: the link went (the upstream died or closed it). */
  readonly connect: (onMessage: (m: UpstreamMessage) => void, onClosed?: () => void) => Promise<UpstreamLink>;
  /** Cut every link (their waiting requests answered `upstreamUnavailable`), refuse new ones, stop what was spawned. */
  readonly close: () => Promise<void>;
}

/** The error a forwarded request gets when the upstream is not there to answer it. */
export const upstreamUnavailable = (describe: string, why: string): RpcError => ({
  code: INTERNAL_ERROR,
  message: `the upstream codex app-server (${describe}) is not available: ${why}; history methods are still answered here`,
});

/** The reply that stands for an answer the upstream cannot give. */
const unavailableReply = (describe: string, why: string): UpstreamReply => ({
  error: upstreamUnavailable(describe, why),
  unavailable: why,
});

/** Where a link connects: a WebSocket URL and its handshake's headers, over a Unix socket when `socket` is given. */
interface Endpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly socket?: string;
}

/** WebSocket over the Unix socket at `path` (connected by its path as it is: ws's `ws+unix:` URL form would take it percent-encoded). */
export const unixEndpoint = (path: string): Endpoint => ({ url: 'ws://localhost/', headers: {}, socket: path });

/** ws's options for `endpoint`. */
export const socketOptions = (endpoint: Endpoint): { createConnection?: () => Socket } =>
  endpoint.socket === undefined ? {} : { createConnection: () => connect(endpoint.socket!) };

/** What every link of one upstream shares: its name, bounds, log, and the links open now (cut at close). */
interface LinkSettings {
  readonly describe: string;
  readonly timeouts: UpstreamTimeouts;
  readonly log: Log;
  /** Each open or opening link's way to be cut. */
  readonly live: Set<() => void>;
}

export const seconds = (ms: number): string => `${ms / 1000} s`;

/** A frame's text for the log: its start only. */
const excerpt = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/**
 * A WebSocket link to `endpoint`, made within `timeouts.connectMs` or refused.
 * long: one WebSocket link: its handlers share the socket, the requests waiting and the timers
 */
const openLink = (
  endpoint: Endpoint,
  s: LinkSettings,
  onMessage: (m: UpstreamMessage) => void,
  onClosed?: () => void,
): Promise<UpstreamLink> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(endpoint.url, {
      headers: { ...endpoint.headers },
      perMessageDeflate: false,
      ...socketOptions(endpoint),
    });
    const waiting = new Map<number, { readonly settle: (r: UpstreamReply) => void; readonly timer: NodeJS.Timeout }>();
    let nextId = 1;
    let closed = false;
    const cut = (): void => ws.terminate();
    s.live.add(cut);
    // An upstream that takes the connection and never answers its handshake is given up on.
    const handshake = setTimeout(() => {
      reject(new Error(`no WebSocket handshake within ${seconds(s.timeouts.connectMs)}`));
      ws.terminate();
    }, s.timeouts.connectMs);
    const settleAll = (why: string): void => {
      for (const [, w] of waiting) {
        clearTimeout(w.timer);
        w.settle(unavailableReply(s.describe, why));
      }
      waiting.clear();
    };
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      let json: unknown;
      try {
        json = isBinary ? undefined : parseJson(text);
      } catch {
        json = undefined;
      }
      const frame = RpcMessageFromServer.decode(json);
      if (json === undefined || E.isLeft(frame)) {
        s.log.warn('upstream frame dropped: not a JSON-RPC message', { upstream: s.describe, frame: excerpt(text) });
        return;
      }
      const msg = frame.right;
      if ('method' in msg) {
        onMessage(
          'id' in msg && msg.id !== undefined
            ? { method: msg.method, params: msg.params, id: msg.id }
            : { method: msg.method, params: msg.params },
        );
        return;
      }
      const w = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
      if (w === undefined) {
        s.log.warn('upstream answer dropped: no request of ours has its id', { upstream: s.describe, id: msg.id });
        return;
      }
      waiting.delete(msg.id as number);
      clearTimeout(w.timer);
      w.settle('error' in msg ? { error: msg.error } : { result: msg.result });
    });
    ws.once('open', () => {
      clearTimeout(handshake);
      resolve({
        request: (method, params, timeoutMs = s.timeouts.requestMs) => {
          if (closed || ws.readyState !== WebSocket.OPEN)
            return Promise.resolve(unavailableReply(s.describe, 'its connection closed'));
          const id = nextId++;
          return new Promise<UpstreamReply>((settle) => {
            const timer = setTimeout(() => {
              waiting.delete(id);
              settle(unavailableReply(s.describe, `no answer to ${method} within ${seconds(timeoutMs)}`));
            }, timeoutMs);
            waiting.set(id, { settle, timer });
            ws.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
          });
        },
        notify: (method, params) => {
          if (ws.readyState === WebSocket.OPEN)
            ws.send(JSON.stringify(params === undefined ? { method } : { method, params }));
        },
        respond: (id, reply) => {
          if (ws.readyState === WebSocket.OPEN)
            ws.send(
              JSON.stringify(
                reply.error !== undefined ? { id, error: reply.error } : { id, result: reply.result ?? null },
              ),
            );
        },
        isOpen: () => !closed && ws.readyState === WebSocket.OPEN,
        close: () => {
          closed = true;
          ws.close();
        },
      });
    });
    ws.once('error', (err) => {
      clearTimeout(handshake);
      if (ws.readyState !== WebSocket.OPEN) reject(err);
    });
    ws.on('close', () => {
      clearTimeout(handshake);
      s.live.delete(cut);
      reject(new Error('its connection closed during the handshake'));
      const wasOpen = !closed;
      closed = true;
      settleAll('its connection closed');
      // Told only when the upstream went, not when the client's side closed the link.
      if (wasOpen) onClosed?.();
    });
  });

/** The links of one upstream: made while it is not closed, every one cut when it is. */
export const linksOf = (describe: string, timeouts: UpstreamTimeouts, log: Log) => {
  const settings: LinkSettings = { describe, timeouts, log, live: new Set() };
  let closed = false;
  return {
    open: (
      endpoint: Endpoint,
      onMessage: (m: UpstreamMessage) => void,
      onClosed?: () => void,
    ): Promise<UpstreamLink> =>
      closed ? Promise.reject(new Error('serve is stopping')) : openLink(endpoint, settings, onMessage, onClosed),
    closed: () => closed,
    close: (): void => {
      closed = true;
      for (const cut of [...settings.live]) cut();
    },
  };
};

export interface UpstreamOptions {
  readonly timeouts?: Partial<UpstreamTimeouts>;
  /** Told of dropped frames, and of the spawned upstream's starts and stops. */
  readonly log?: Log;
}

/** An upstream already running (`--upstream ws://HOST:PORT`), its capability token read from a file when given. */
export const webSocketUpstream = (url: string, tokenFile?: string, o: UpstreamOptions = {}): Upstream => {
  const token = tokenFile === undefined ? undefined : readFileSync(tokenFile, 'utf8').trim();
  const timeouts = { ...DEFAULT_UPSTREAM_TIMEOUTS, ...o.timeouts };
  const links = linksOf(url, timeouts, o.log ?? silentLog);
  const endpoint: Endpoint = { url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } };
  return {
    describe: url,
    timeouts,
    connect: (onMessage, onClosed) => links.open(endpoint, onMessage, onClosed),
    close: async () => links.close(),
  };
};
