import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import type { HomelessRpcMethod, RpcContext, RpcMethod } from './method.js';
import type { MiddlewareOptions } from './middleware.js';
import { middlewareOf, withMiddleware } from './middleware.js';
import type { ThreadSubscriptions } from './threadSubscriptions.js';
import { threadSubscriptions } from './threadSubscriptions.js';

/** What the server answers with: the home's context and its methods. */
export interface RpcService {
  readonly ctx: Omit<RpcContext, 'notify' | 'load' | 'threads' | 'loaded' | 'codexVersion'>;
  readonly methods: ReadonlyArray<RpcMethod>;
  /** The server's live notifications hub; absent: one of this connection's own, told only of its `rollout/append`s. */
  readonly subscriptions?: ThreadSubscriptions;
  /** The steps of its middleware chain beyond the ones every request takes (`middleware.ts` `middlewareOf`). */
  readonly middleware?: MiddlewareOptions;
}

/**
 * A service whose home is still opening (`serve` on a big home loads the engine, opens and
 * migrates the index): the `early` methods, which need no home (`initialize`), are answered at
 * once; any other request waits for `open`, called once (after the first answer, or when the
 * clients are quiet). When the home cannot be opened, the request waiting for it is answered with
 * the error and its connection stops reading.
 */
export interface OpeningService {
  readonly codexHome: string;
  readonly early: ReadonlyArray<HomelessRpcMethod>;
  readonly open: () => Promise<E.Either<EngineError, RpcService>>;
}

/** An opened service as the server answers with it: its methods by name (middleware applied), its context, its live hub. */
export interface Answering {
  readonly byName: ReadonlyMap<string, RpcMethod>;
  readonly ctx: RpcService['ctx'];
  readonly hub: ThreadSubscriptions;
}

/** A server's home, opened once whatever the number of connections asking. */
export interface HomeOpening {
  readonly codexHome: string;
  /** The methods that need no home: answered while it is opening. */
  readonly early: ReadonlyMap<string, HomelessRpcMethod>;
  /** The opened service, or null while it is not opened yet. */
  readonly current: () => Answering | null;
  /** The opened service, opening it on first need. */
  readonly open: () => Promise<E.Either<EngineError, Answering>>;
  /** Open now rather than when the clients fall quiet (after the first answer). */
  readonly openSoon: () => void;
  /** Stop the hub the server made for itself, if it made one, and the open not started yet: a server shut down before it opened never opens its home. */
  readonly close: () => void;
}

/** How long quiet clients leave the home unopened: the first message normally comes at once. */
const OPEN_WHEN_QUIET_MS = 20;

/**
 * The home of `service`, opened after the first answer or once the clients have been quiet for a
 * moment: the first answer does not wait for the engine's modules and the index.
 */
export const homeOpening = (service: RpcService | OpeningService): HomeOpening => {
  // The live notifications hub: the service's (fed by the home's watch), or the server's own, told only of its `rollout/append`s.
  let ownHub: ThreadSubscriptions | null = null;
  const answeringWith = (s: RpcService): Answering => ({
    byName: new Map(withMiddleware(s.methods, middlewareOf(s.middleware ?? {})).map((m) => [m.name, m])),
    ctx: s.ctx,
    hub: s.subscriptions ?? (ownHub = threadSubscriptions(s.ctx.ports)),
  });
  let opened: Answering | null = 'early' in service ? null : answeringWith(service);
  let opening: Promise<E.Either<EngineError, Answering>> | null = null;
  const open = (): Promise<E.Either<EngineError, Answering>> => {
    if (opened !== null || !('early' in service)) return Promise.resolve(E.right(opened!));
    opening ??= service.open().then(E.map((s) => (opened = answeringWith(s))));
    return opening;
  };
  let quiet = 'early' in service ? setTimeout(() => void open(), OPEN_WHEN_QUIET_MS) : null;
  return {
    codexHome: 'early' in service ? service.codexHome : service.ctx.codexHome,
    early: new Map('early' in service ? service.early.map((m) => [m.name, m]) : []),
    current: () => opened,
    open,
    openSoon: () => {
      if (quiet === null) return;
      clearTimeout(quiet);
      quiet = null;
      void open();
    },
    close: () => {
      if (quiet !== null) clearTimeout(quiet);
      quiet = null;
      ownHub?.close();
    },
  };
};
