import type { MethodName, ParamsOf, ResultOf } from './methods.js';

/**
 * The WebSocket subprotocols a browser's page offers (adapters/rpc/viewerFiles.ts reads them): its
 * own name first (ws picks the first offered), then its bearer token, as a browser's WebSocket
 * cannot send `Authorization`: `rollout-engine.bearer.<base64url(token)>`.
 */
export const VIEWER_PROTOCOL = 'rollout-engine.viewer';
export const BEARER_PROTOCOL_PREFIX = 'rollout-engine.bearer.';

/** A client typed by the protocol's table: a method's params and its answer are those the table declares. */
export interface TypedClient {
  readonly request: <M extends MethodName>(method: M, params: ParamsOf<M>) => Promise<ResultOf<M>>;
}

/**
 * Types a transport by the table: `send` sends one request and resolves with its result (rejecting
 * on an error answer, as the transport reports it). The transport stays the caller's (stdio,
 * WebSocket, the browser's socket); this only says what goes in and what comes back.
 */
export const typedClient = (send: (method: string, params: unknown) => Promise<unknown>): TypedClient => ({
  request: <M extends MethodName>(method: M, params: ParamsOf<M>) => send(method, params) as Promise<ResultOf<M>>,
});
