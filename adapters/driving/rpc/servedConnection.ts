// What one connection being served holds (`Served`) and what every connection of a server shares
// (`Shared`); the steps of its serving (connectionServing.ts, connectionRequests.ts) fail a request,
// stop its reading and answer an internal error through them.
import type * as E from 'fp-ts/lib/Either.js';
import { NEWEST_CODEX_VERSION } from '../../../protocol/codexVersions.js';
import type { CodexVersion } from '../../../protocol/codexVersions.js';
import type { Cancellation, ServerLoad } from './method.js';
import { INTERNAL_ERROR } from '../../../protocol/jsonRpc.js';
import type { RpcError } from '../../../protocol/jsonRpc.js';
import type { RpcConnection } from './connection.js';
import { connectionUpstream } from './connectionUpstream.js';
import type { Answering, homeOpening } from './homeOpening.js';
import { peerOutbox } from './peerOutbox.js';
import type { createScheduler } from './scheduler.js';
import type { ConnectionThreads } from './threadSubscriptions.js';
import type { LoadedThreads } from './loadedThreads.js';
import type { EngineError } from '../../../domain/errors.js';
import type { RpcServerOptions } from './serverOptions.js';

/** A request's id as the client sent it; null where it could not be read. */
export type Id = string | number | null;

/** What every connection of one server shares. */
export interface Shared {
  readonly options: RpcServerOptions;
  readonly maxRequestsPerConnection: number;
  readonly scheduler: ReturnType<typeof createScheduler>;
  readonly load: ServerLoad;
  readonly loaded: LoadedThreads;
  readonly home: ReturnType<typeof homeOpening>;
  /** Waits for the home to open, counted among the requests queued. */
  readonly openHome: () => Promise<E.Either<EngineError, Answering>>;
  /** What each connection's reading loop does when shutdown starts (registered while it reads, removed after). */
  readonly onShutdown: Set<() => void>;
  readonly shuttingDown: () => boolean;
}

/** An error answer to the request `id`. */
export const message = (id: Id, error: RpcError) => ({ jsonrpc: '2.0', id, error });

/** One connection being served: what `initialize` set, its outbox, its upstream link, its requests under way. */
export interface Served {
  readonly connection: RpcConnection;
  readonly owner: object;
  initialized: boolean;
  experimentalApi: boolean;
  clientName: string | undefined;
  codexVersion: CodexVersion;
  optedOut: ReadonlySet<string>;
  reading: boolean;
  clientEnded: boolean;
  metHomeError: boolean;
  readonly gone: () => boolean;
  // Messages leave one after another, bounded (`peerOutbox.ts`): a request's notifications and
  // answer go out as one group; a notification, the upstream's or a followed thread's, alone.
  readonly outbox: ReturnType<typeof peerOutbox>;
  readonly fail: (id: Id, error: RpcError) => Promise<void>;
  /** The threads this connection follows: their live notifications go out between whole messages, what one look at a thread found as one group. */
  threads: ConnectionThreads | undefined;
  /** --upstream: this connection's link and the upstream's requests awaiting the client. */
  readonly upstream: ReturnType<typeof connectionUpstream> | undefined;
  /** This connection's running requests, by id: a cancel (`thread/search/cancel`) finds its target here. */
  readonly running: Map<string, { readonly method: string; readonly cancellation: Cancellation }>;
  /** Requests accepted and not yet answered (or skipped); the connection is served once none is left. */
  pending: number;
  allAnswered: () => void;
  stopSeen: boolean;
  wakeStop: ((v: 'stop') => void) | undefined;
}

export const served = (s: Shared, connection: RpcConnection): Served => {
  const outbox = peerOutbox(connection);
  const c: Served = {
    connection,
    owner: {},
    initialized: false,
    experimentalApi: false,
    clientName: undefined,
    codexVersion: s.options.codexVersion ?? NEWEST_CODEX_VERSION,
    optedOut: new Set(),
    reading: true,
    clientEnded: false,
    metHomeError: false,
    gone: () => connection.closed?.aborted ?? c.clientEnded,
    outbox,
    fail: (id, error) => outbox.enqueue(() => connection.send(message(id, error))),
    threads: undefined,
    upstream: undefined,
    running: new Map(),
    pending: 0,
    allAnswered: () => undefined,
    stopSeen: false,
    wakeStop: undefined,
  };
  const up = s.options.upstream;
  return up === undefined
    ? c
    : Object.assign(c, { upstream: connectionUpstream(up.upstream, connection, outbox, c.gone) });
};

// The wait for the next message ends at a message, or when reading stops (the connection) or
// shutdown starts (the server). Not a race of each wait against two promises that settle only
// then: every race leaves a reaction on them, held until they settle (a long-lived server's
// memory grew by every message it read).
export const stopReading = (c: Served): void => {
  c.stopSeen = true;
  c.wakeStop?.('stop');
};

/** A failure no handler turned into an error still gets an answer (-32603); the server goes on. */
export const internalError = (c: Served, id: Id) => (err: unknown) =>
  c.gone()
    ? undefined
    : c
        .fail(id, {
          code: INTERNAL_ERROR,
          message: `Internal error: ${err instanceof Error ? err.message : String(err)}`,
        })
        .catch(() => undefined);
