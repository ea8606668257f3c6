import type { MethodName, ParamsOf, ResultOf } from './methods.js';

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
