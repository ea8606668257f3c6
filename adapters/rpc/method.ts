import type * as TE from 'fp-ts/lib/TaskEither.js';
import type * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../../replay/ports.js';
import type { LoadedThreads } from './loadedThreads.js';

/** What a method handler can use: the home's ports (reads and mutations), the home, and a way to notify the client. */
export interface RpcContext {
  readonly codexHome: string;
  readonly ports: ThreadManagementPorts;
  /** The threads this server holds loaded (server-wide, as Codex's thread manager): `thread/loaded/list`. */
  readonly loaded: LoadedThreads;
  /** Send a notification with this request's answer: before it (default) or right after it, as Codex orders each. */
  readonly notify: (method: string, params: unknown, when?: 'beforeAnswer' | 'afterAnswer') => void;
}

/** One JSON-RPC method: its name, an io-ts codec for its params, and its handler. */
export interface RpcMethod<P = unknown> {
  readonly name: string;
  readonly params: t.Decoder<unknown, P>;
  readonly handle: (ctx: RpcContext, params: P) => TE.TaskEither<EngineError, unknown>;
}

/** A method that needs no home (`initialize`): the server answers it while the home is still opening. */
export interface HomelessRpcMethod<P = unknown> {
  readonly name: string;
  readonly params: t.Decoder<unknown, P>;
  readonly handle: (ctx: Pick<RpcContext, 'codexHome' | 'notify'>, params: P) => TE.TaskEither<EngineError, unknown>;
}

export const defineHomelessMethod = <P>(m: HomelessRpcMethod<P>): HomelessRpcMethod<unknown> => m as unknown as HomelessRpcMethod<unknown>;

export const defineMethod = <P>(m: RpcMethod<P>): RpcMethod<unknown> => m as unknown as RpcMethod<unknown>;
