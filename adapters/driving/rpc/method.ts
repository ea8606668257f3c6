import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import type { ExternalAgentPorts, ThreadManagementPorts } from '../../../replay/ports.js';
import type { HomePluginPorts } from '../../driven/plugins/homeRemotePlugins.js';
import type { ConnectionThreads } from './threadSubscriptions.js';
import type { LoadedThreads } from './loadedThreads.js';
import type { MethodEntry, RpcScope } from '../../../protocol/methodEntry.js';
import type { CodexVersion, VersionDelta } from '../../../protocol/codexVersions.js';
import type { NotificationName, Notify, ServerNotifications } from '../../../protocol/notifications.js';
import { checkedParams, inMethodWords } from '../../../protocol/threadIdRule.js';
import type { Thread } from '../../../domain/thread/thread.js';
import type { StreamedThread } from '../../../replay/history/readThread.js';
import type { PricingTable } from '../../../domain/tokens/pricing.js';

/**
 * What a handler answers for a method whose result is `R`: `R`, or `R` with its thread's turns
 * coming as a stream, read as they are written (`thread/read`; `streamedJson.ts` writes the same
 * text as for `R`).
 */
export type HandlerAnswer<R> = R | { readonly [K in keyof R]: R[K] extends Thread ? StreamedThread : R[K] };

/** How busy the server is: requests running (started, not yet answered) and queued (accepted, waiting for their key). */
export interface ServerLoad {
  readonly inFlight: () => number;
  readonly queued: () => number;
}

/** A request's cancellation: set by the connection, read by the work (no event: a search looks at its checkpoints). */
export interface Cancellation {
  aborted: boolean;
}

/** What a method handler can use: the home's ports (reads and mutations), the home, a way to notify the client, and the server's load. */
export interface RpcContext {
  readonly codexHome: string;
  /** The Codex version this connection speaks (`codexVersions.ts`: the server's, or its Codex client's). */
  readonly codexVersion: CodexVersion;
  readonly ports: ThreadManagementPorts;
  /** The threads this server holds loaded (server-wide, as Codex's thread manager): `thread/loaded/list`. */
  readonly loaded: LoadedThreads;
  /** Send a notification with this request's answer: before it (default) or right after it, as Codex orders each. */
  readonly notify: <N extends NotificationName>(
    method: N,
    params: ServerNotifications[N],
    when?: 'beforeAnswer' | 'afterAnswer',
  ) => void;
  readonly load: ServerLoad;
  /** The threads this connection follows (live notifications: `threadSubscriptions.ts`). */
  readonly threads?: ConnectionThreads;
  /** This request's id, as the client sent it (`thread/search/partial` names it). */
  readonly requestId?: string | number | null;
  /** `aborted` once the client cancels this request (`thread/search/cancel`): the work stops and it answers an error. */
  readonly cancelled?: Readonly<Cancellation>;
  /** Cancel this connection's running request `requestId` if it is a `method` (anything else: nothing happens, as Codex does). */
  readonly cancel?: (method: string, requestId: unknown) => void;
  /** The client's name from `initialize` (`clientInfo.name`): Codex records it as a new thread's originator. */
  readonly clientName?: string;
  /** Send a notification to this connection later, on its own (work that goes on after the answer: an import's progress). */
  readonly push?: Notify;
  /** The home's external-agent ports, built once by the composition root (`openCodexHome`). */
  readonly externalAgents: () => Promise<ExternalAgentPorts>;
  /** The home's plugin ports (with `serve --chatgpt-base-url`'s backend), built once by the composition root. */
  readonly plugins: () => Promise<HomePluginPorts>;
  /** What tokens cost: `serve` / `view --pricing FILE`'s table, else the one shipped (the token report's default and the charts' prices). */
  readonly pricing: PricingTable;
}

/** One JSON-RPC method: its name, an io-ts codec for its params, its scope, and its handler. */
export interface RpcMethod<P = unknown> {
  readonly name: string;
  readonly params: t.Decoder<unknown, P>;
  /** Which requests this one must wait for (see `RpcScope`); decided from its decoded params. */
  readonly scope: (params: P) => RpcScope;
  /** Answered only to a client that said `capabilities.experimentalApi` at `initialize`, as Codex gates it. */
  readonly experimental?: boolean;
  /** How it differs between the Codex versions we speak (the entry's). */
  readonly deltas?: ReadonlyArray<VersionDelta>;
  readonly handle: (ctx: RpcContext, params: P) => TE.TaskEither<EngineError, unknown>;
}

/** A method that needs no home (`initialize`): the server answers it at once, in order, while the home is still opening too. */
export interface HomelessRpcMethod<P = unknown> {
  readonly name: string;
  readonly params: t.Decoder<unknown, P>;
  /** Always `null`: it waits for nothing. */
  readonly scope: (params: P) => RpcScope;
  readonly handle: (
    ctx: Pick<RpcContext, 'codexHome' | 'notify' | 'codexVersion'>,
    params: P,
  ) => TE.TaskEither<EngineError, unknown>;
}

/** A method bound to its handler, carrying its name's type: the binding table (`methods/bound.ts`) takes for each name only the method bound to that name's entry. */
export type BoundMethod<N extends string> = RpcMethod<unknown> & { readonly name: N };

/** Binds a protocol entry that needs no home to its handler. */
export const bindHomelessMethod = <N extends string, P, R>(
  entry: MethodEntry<N, P, R>,
  handle: (
    ctx: Pick<RpcContext, 'codexHome' | 'notify' | 'codexVersion'>,
    params: P,
  ) => TE.TaskEither<EngineError, NoInfer<R>>,
): HomelessRpcMethod<unknown> & BoundMethod<N> =>
  ({ name: entry.name, params: entry.params, scope: entry.scope, handle }) as unknown as HomelessRpcMethod<unknown> &
    BoundMethod<N>;

/**
 * Binds a protocol entry (name, params, scope, experimental, thread id rule) to the use case that
 * answers it: the handler's answer must be the entry's result (`NoInfer`: the entry alone says
 * what that is). The entry's thread id rule is applied here, as the CLI applies it
 * (`commandSpec.ts`): the id checked before the handler runs, an unknown thread said in the
 * method's words.
 */
export const bindMethod = <N extends string, P, R>(
  entry: MethodEntry<N, P, R>,
  handle: (ctx: RpcContext, params: P) => TE.TaskEither<EngineError, HandlerAnswer<NoInfer<R>>>,
): BoundMethod<N> =>
  ({
    name: entry.name,
    params: entry.params,
    scope: entry.scope,
    experimental: entry.experimental,
    deltas: entry.deltas,
    handle: (ctx: RpcContext, params: P) =>
      pipe(
        TE.fromEither(checkedParams(entry, params)),
        TE.chain((p) => handle(ctx, p)),
        TE.mapLeft(inMethodWords(entry)),
      ),
  }) as unknown as BoundMethod<N>;
