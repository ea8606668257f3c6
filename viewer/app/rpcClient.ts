/** JSON-RPC 2.0 over the WebSocket of the listener that served this page, as any app-server client speaks it. */
import { typedClient } from '../../protocol/client.js';
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

export interface RpcClient {
  readonly request: <T>(method: string, params: unknown) => Promise<T>;
  /** The same socket typed by the protocol's table. */
  readonly typed: TypedClient;
  readonly onNotification: (listener: Notified) => void;
}

/** base64url of the token's UTF-8 bytes: the characters a subprotocol may hold. */
const base64url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

/**
 * Open the socket to `url`, `initialize` and send `initialized`; requests may be many at once
 * (answered by id). A bearer token (`--ws-auth`) goes as a second subprotocol: a browser's
 * WebSocket cannot send `Authorization` (adapters/rpc/viewerFiles.ts reads it back).
 */
export const connectRpc = async (url: string, token: string | null): Promise<RpcClient> => {
  const ws = token === null ? new WebSocket(url) : new WebSocket(url, ['rollout-engine.viewer', `rollout-engine.bearer.${base64url(token)}`]);
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners: Notified[] = [];
  let nextId = 1;
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number | null; method?: string; params?: unknown; result?: unknown; error?: RpcFailure };
    if (msg.method !== undefined && msg.id === undefined) {
      for (const l of listeners) l(msg.method, msg.params);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error !== undefined) w?.reject(new RpcError(msg.error));
    else w?.resolve(msg.result);
  });
  ws.addEventListener('close', () => {
    for (const [, w] of waiting) w.reject(new RpcError({ code: -1, message: 'connection closed' }));
    waiting.clear();
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new RpcError({ code: -1, message: `cannot connect to ${url}` })), { once: true });
  });
  const request = <T>(method: string, params: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  await request('initialize', { clientInfo: { name: 'rollout-engine-viewer', version: '0.1.0' }, capabilities: { experimentalApi: true } });
  ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized' }));
  return { request, typed: typedClient(request), onNotification: (l) => listeners.push(l) };
};
