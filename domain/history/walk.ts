import type * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { take, useCase } from '../effect.js';

/**
 * The walk from a rollout down its `history_base` hops to the root, shared by every reader of
 * a logical history (the file fold, the index's thread rows, read-repair). Pure: the walk is a
 * generator that yields each hop it needs resolved and is resumed with the base's node (or
 * undefined when the base is unknown), so sync callers (inside an index transaction) and async
 * ones (reading session metas from files) drive the same steps. Hops are bounded so a corrupt
 * cycle of references ends the walk instead of looping.
 */

/** A `history_base` reference: the base rollout and where its share of the history ends. */
export interface HistoryHop {
  readonly rolloutId: string;
  readonly endOrdinalExclusive: number;
  readonly endByteOffset: number;
}

export interface ChainLink<N> {
  readonly node: N;
  readonly rolloutId: string;
  /** Where this link's share ends (the hop that led to it); null for the starting rollout (to its end). */
  readonly cut: HistoryHop | null;
}

export type WalkEnd =
  | { readonly kind: 'root' }
  /** A hop to a rollout the caller does not know. */
  | { readonly kind: 'missing'; readonly rolloutId: string }
  /** A hop back to a rollout already on the chain (or too many hops). */
  | { readonly kind: 'cycle'; readonly rolloutId: string };

export interface WalkedHistory<N> {
  /** Base first; the last link is the starting rollout. */
  readonly chain: ReadonlyArray<ChainLink<N>>;
  readonly end: WalkEnd;
}

export const MAX_HOPS = 10_000;

export function* walkHistory<N>(
  start: N,
  startId: string,
  baseOf: (node: N) => HistoryHop | null,
): Generator<HistoryHop, WalkedHistory<N>, N | undefined> {
  const chain: ChainLink<N>[] = [{ node: start, rolloutId: startId, cut: null }];
  const seen = new Set([startId]);
  let hop = baseOf(start);
  while (hop !== null) {
    if (seen.has(hop.rolloutId) || seen.size > MAX_HOPS)
      return { chain, end: { kind: 'cycle', rolloutId: hop.rolloutId } };
    const node: N | undefined = yield hop;
    if (node === undefined) return { chain, end: { kind: 'missing', rolloutId: hop.rolloutId } };
    seen.add(hop.rolloutId);
    chain.unshift({ node, rolloutId: hop.rolloutId, cut: hop });
    hop = baseOf(node);
  }
  return { chain, end: { kind: 'root' } };
}

/** Drive the walk with a synchronous lookup. */
export const walkHistorySync = <N>(
  start: N,
  startId: string,
  baseOf: (node: N) => HistoryHop | null,
  lookup: (rolloutId: string) => N | undefined,
): WalkedHistory<N> => {
  const w = walkHistory(start, startId, baseOf);
  let r = w.next();
  while (r.done !== true) r = w.next(lookup(r.value.rolloutId));
  return r.value;
};

/** Drive the walk with an asynchronous lookup that may fail (the first failure ends the walk). */
export const walkHistoryAsync = <N>(
  start: N,
  startId: string,
  baseOf: (node: N) => HistoryHop | null,
  lookup: (rolloutId: string) => Promise<E.Either<EngineError, N | undefined>>,
): Promise<E.Either<EngineError, WalkedHistory<N>>> =>
  useCase(async () => {
    const w = walkHistory(start, startId, baseOf);
    let r = w.next();
    while (r.done !== true) r = w.next(await take(lookup(r.value.rolloutId)));
    return r.value;
  })();
