import * as E from 'fp-ts/lib/Either.js';
import type { RpcMethod } from './method.js';
import { withQuarantineNotice } from './quarantineNotice.js';

/**
 * One step around every method's handler (as Emmett's middleware): given the method and the rest
 * of the chain, the handler that runs them. Requests refused before a handler runs (unknown
 * method, `experimental` to a client that did not opt in, params that do not decode, overload)
 * are the server's own answers (`server.ts`), not steps of this chain.
 */
export type RpcMiddleware = (method: RpcMethod, next: RpcMethod['handle']) => RpcMethod['handle'];

/** Where answers are timed (`metrics.ts` `ServerMetrics`). */
export interface AnswerTimes {
  readonly requestAnswered: (method: string, outcome: 'ok' | 'error', seconds: number) => void;
}

/** What a service's chain is made of beyond the steps every request takes (absent: the step is left out). */
export interface MiddlewareOptions {
  /** Runs each request ahead of the home's background backfill (`OpenCodexHome.aheadOfBackfill`). */
  readonly aheadOfBackfill?: <A>(request: () => Promise<A>) => Promise<A>;
  /** Times each answer into the metrics (`serve --listen`). */
  readonly metrics?: AnswerTimes;
}

/** Each answer timed into the metrics, with its method and outcome. */
export const measured =
  (metrics: AnswerTimes): RpcMiddleware =>
  (method, next) =>
  (ctx, params) =>
  async () => {
    const t0 = process.hrtime.bigint();
    const answer = await next(ctx, params)();
    metrics.requestAnswered(method.name, E.isLeft(answer) ? 'error' : 'ok', Number(process.hrtime.bigint() - t0) / 1e9);
    return answer;
  };

/** The request runs ahead of a backfill running behind the answers: the backfill waits between two chunks meanwhile. */
export const aheadOfBackfill =
  (ahead: NonNullable<MiddlewareOptions['aheadOfBackfill']>): RpcMiddleware =>
  (_method, next) =>
  (ctx, params) =>
  () =>
    ahead(next(ctx, params));

/** Reads tell the client about the quarantined lines they meet, with the request's answer. */
export const quarantineNotice: RpcMiddleware = (_method, next) => (ctx, params) =>
  next({ ...ctx, ports: withQuarantineNotice(ctx.ports, ctx.notify) }, params);

/** The chain every request's handler runs in, outermost first: the one list the server applies. */
export const middlewareOf = (options: MiddlewareOptions): ReadonlyArray<RpcMiddleware> => [
  // Outermost: an answer's time includes its wait behind the backfill.
  ...(options.metrics === undefined ? [] : [measured(options.metrics)]),
  ...(options.aheadOfBackfill === undefined ? [] : [aheadOfBackfill(options.aheadOfBackfill)]),
  quarantineNotice,
];

/** The methods with their handlers inside the chain (its first step outermost). */
export const withMiddleware = (
  methods: ReadonlyArray<RpcMethod>,
  middleware: ReadonlyArray<RpcMiddleware>,
): ReadonlyArray<RpcMethod> =>
  methods.map((m): RpcMethod => ({
    ...m,
    handle: middleware.reduceRight<RpcMethod['handle']>((next, step) => step(m, next), m.handle),
  }));
