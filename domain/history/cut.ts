import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../errors.js';
import { notFound, rejected } from '../errors.js';
import type { TurnStatus } from '../thread/turn.js';

/**
 * Where a logical history can be cut: a line of one of its rollout files. The history below the
 * cut is "every line of that rollout before it" (with the rollout's own base below its cut).
 */
export interface HistoryPoint {
  /** Rollout id of the file holding the point (thread id, fork id or revision id). */
  readonly rolloutId: string;
  /** Line index in that file. */
  readonly line: number;
  readonly byteOffset: number;
  /** Paginated `ordinal` of the line at the point (the next ordinal when the point is the end). */
  readonly ordinal: number | null;
}

/** A visible turn of a logical history, as far as a cut needs it. */
export interface TurnRef {
  readonly id: string;
  readonly rootTurnId: string | null;
  readonly status: TurnStatus;
  readonly startedAt: number | null;
  /** The line that orders the turn (its task_started, else its end or first item). */
  readonly anchor: HistoryPoint;
}

export type ForkRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'lastTurn'; readonly turnId: string }
  | { readonly kind: 'beforeTurn'; readonly turnId: string };

/** What the index found for a fork request: the named turn, the turn after it, the history's end. */
export interface ForkLookup {
  readonly target: TurnRef | undefined;
  /** The first visible turn after `target` (lastTurn only); undefined when `target` is the last. */
  readonly next: TurnRef | undefined;
  readonly end: HistoryPoint;
}

/**
 * The cut of a fork, as Codex places it: the whole thread ends at its end; `lastTurnId: T` just
 * past T, i.e. at the next turn's start (a turn still running cannot be the last one kept);
 * `beforeTurnId: T` at T's start.
 */
export const forkCut = (request: ForkRequest, found: ForkLookup): E.Either<EngineError, HistoryPoint> => {
  switch (request.kind) {
    case 'whole':
      return E.right(found.end);
    case 'lastTurn':
      if (found.target === undefined) return E.left(notFound('turn', request.turnId));
      if (found.target.status === 'inProgress')
        return E.left(rejected(`lastTurnId '${request.turnId}' identifies an in-progress turn`));
      return E.right(found.next?.anchor ?? found.end);
    case 'beforeTurn':
      if (found.target === undefined) return E.left(notFound('turn', request.turnId));
      return E.right(found.target.anchor);
  }
};

/**
 * The cut of `rollback N`: before the first of the last N visible turns (all of them when N is at
 * least their number); undefined when there is no turn to drop.
 */
export const rollbackCut = (
  lastTurns: ReadonlyArray<TurnRef>,
  numTurns: number,
): E.Either<EngineError, HistoryPoint | undefined> => {
  if (!Number.isSafeInteger(numTurns) || numTurns < 1) return E.left(rejected('numTurns must be >= 1'));
  const dropped = lastTurns.slice(Math.max(0, lastTurns.length - numTurns));
  return E.right(dropped[0]?.anchor);
};
