import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';

/**
 * Codex's page cursors: plain JSON text. Paginated threads name a rollout ordinal and a scope;
 * legacy threads name a turn id. `includeAnchor` is true on a backwards cursor.
 */
export type CursorScope = 'turns' | 'itemsByCreatedAtOrdinal';

const HistoryCursorCodec = t.type({
  requestedThreadId: t.string,
  rolloutOrdinal: t.number,
  includeAnchor: t.boolean,
  scope: t.type({ kind: t.keyof({ turns: null, itemsByCreatedAtOrdinal: null, itemsByUpdatedAtOrdinal: null }) }),
});

const TurnCursorCodec = t.type({ turnId: t.string, includeAnchor: t.boolean });

export interface HistoryCursor {
  readonly rolloutOrdinal: number;
  readonly includeAnchor: boolean;
}

export interface TurnCursor {
  readonly turnId: string;
  readonly includeAnchor: boolean;
}

export const invalidCursor = (cursor: string): EngineError => rejected(`invalid cursor: ${cursor}`);

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A paginated cursor for this thread and scope, else Codex's "invalid cursor: <text>". */
export const parseHistoryCursor = (text: string, threadId: string, scope: CursorScope): E.Either<EngineError, HistoryCursor> => {
  const decoded = HistoryCursorCodec.decode(parseJson(text));
  if (E.isLeft(decoded)) return E.left(invalidCursor(text));
  const c = decoded.right;
  if (c.requestedThreadId !== threadId || c.scope.kind !== scope || !Number.isSafeInteger(c.rolloutOrdinal) || c.rolloutOrdinal < 0) return E.left(invalidCursor(text));
  return E.right({ rolloutOrdinal: c.rolloutOrdinal, includeAnchor: c.includeAnchor });
};

export const serializeHistoryCursor = (threadId: string, scope: CursorScope, rolloutOrdinal: number, includeAnchor: boolean): string =>
  JSON.stringify({ requestedThreadId: threadId, rolloutOrdinal, includeAnchor, scope: { kind: scope } });

export const parseTurnCursor = (text: string): E.Either<EngineError, TurnCursor> => {
  const decoded = TurnCursorCodec.decode(parseJson(text));
  return E.isLeft(decoded) ? E.left(invalidCursor(text)) : E.right({ turnId: decoded.right.turnId, includeAnchor: decoded.right.includeAnchor });
};

export const serializeTurnCursor = (turnId: string, includeAnchor: boolean): string => JSON.stringify({ turnId, includeAnchor });
