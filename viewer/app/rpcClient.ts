/** JSON-RPC 2.0 over the WebSocket of the listener that served this page, as any app-server client speaks it. */
import { BEARER_PROTOCOL_PREFIX, typedClient, VIEWER_PROTOCOL } from '../../protocol/client.js';
import type { TypedClient } from '../../protocol/client.js';

export interface RpcFailure {
  readonly code: number;
  readonly message: string;
}

export class RpcError extends Error {
  constructor(readonly failure: RpcFailure) {
    super(failure.message);
  }
}

type Notified = (method: string, params: unknown) => void;

/** Whether the page is talking to its server: `lost` at once when the socket closes, `connected` again once a new one is initialized. */
export type ConnectionState = 'connected' | 'lost';

export interface RpcClient {
  /** Requests, typed by the protocol's table (`protocol/methods.ts`): the viewer's one way to ask. */
  readonly typed: TypedClient;
  readonly onNotification: (listener: Notified) => void;
  readonly onConnection: (listener: (state: ConnectionState) => void) => void;
}

/** base64url of the token's UTF-8 bytes: the characters a subprotocol may hold. */
const base64url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/** Waits between reconnection attempts: 250 ms doubling to 5 s. */
const backoffMs = (attempt: number): number => Math.min(250 * 2 ** attempt, 5000);

/** Requests sent and not answered yet, by id. */
type Waiting = Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;

/** A new socket to `url`, the bearer token (if any) as its second subprotocol. */
const socketTo = (url: string, token: string | null): WebSocket =>
  token === null
    ? new WebSocket(url)
    : new WebSocket(url, [VIEWER_PROTOCOL, `${BEARER_PROTOCOL_PREFIX}${base64url(token)}`]);

/** A message of the socket: a notification goes to the listeners, an answer to the request waiting for it. */
const routeMessage = (data: string, waiting: Waiting, listeners: ReadonlyArray<Notified>): void => {
  const msg = JSON.parse(data) as {
    id?: number | null;
    method?: string;
    params?: unknown;
    result?: unknown;
    error?: RpcFailure;
  };
  if (msg.method !== undefined && msg.id === undefined) {
    for (const l of listeners) l(msg.method, msg.params);
    return;
  }
  if (typeof msg.id !== 'number') return;
  const w = waiting.get(msg.id);
  waiting.delete(msg.id);
  if (msg.error !== undefined) w?.reject(new RpcError(msg.error));
  else w?.resolve(msg.result);
};

/** Resolves once the socket is open; rejects if it fails first. */
const opened = (socket: WebSocket, url: string): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new RpcError({ code: -1, message: `cannot connect to ${url}` })), {
      once: true,
    });
  });

/**
 * A socket to `url`, `initialize`d (then `initialized` sent); requests may be many at once
 * (answered by id). A bearer token (`--ws-auth`) goes as a second subprotocol: a browser's
 * WebSocket cannot send `Authorization` (adapters/driving/rpc/viewerFiles.ts reads it back). When the
 * socket closes, its pending requests fail (`connection lost`), listeners hear `lost`, and a new
 * socket is tried with back-off; requests made meanwhile wait for it and go out once it is
 * initialized.
 */
export const connectRpc = async (url: string, token: string | null): Promise<RpcClient> => {
  const waiting: Waiting = new Map();
  const listeners: Notified[] = [];
  const stateListeners: Array<(state: ConnectionState) => void> = [];
  /** Requests made while no socket is up: sent once one is. */
  const held: Array<() => void> = [];
  let nextId = 1;
  let ws: WebSocket | null = null;

  const send = (id: number, method: string, params: unknown): void =>
    ws!.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  const raw = <T>(socket: WebSocket, method: string, params: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });

  /** One socket, open and initialized; rejects when it cannot be. */
  const open = async (): Promise<WebSocket> => {
    const socket = socketTo(url, token);
    socket.addEventListener('message', (event) => routeMessage(String(event.data), waiting, listeners));
    await opened(socket, url);
    await raw(socket, 'initialize', {
      clientInfo: { name: 'rollout-engine-viewer', version: '0.1.0' },
      capabilities: { experimentalApi: true },
    });
    socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }));
    return socket;
  };

  const up = (socket: WebSocket): void => {
    ws = socket;
    socket.addEventListener('close', () => {
      ws = null;
      for (const [, w] of waiting) w.reject(new RpcError({ code: -1, message: 'connection lost' }));
      waiting.clear();
      for (const l of stateListeners) l('lost');
      void reconnect(0);
    });
    for (const go of held.splice(0)) go();
  };

  const reconnect = async (attempt: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, backoffMs(attempt)));
    let socket: WebSocket;
    try {
      socket = await open();
    } catch {
      return reconnect(attempt + 1);
    }
    up(socket);
    for (const l of stateListeners) l('connected');
  };

  up(await open());
  const request = (method: string, params: unknown): Promise<unknown> =>
    new Promise<unknown>((resolve, reject) => {
      const go = (): void => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        send(id, method, params);
      };
      if (ws !== null && ws.readyState === WebSocket.OPEN) go();
      else held.push(go);
    });
  return {
    typed: typedClient(request),
    onNotification: (l) => listeners.push(l),
    onConnection: (l) => stateListeners.push(l),
  };
};
