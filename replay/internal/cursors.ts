import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import { parseJson } from '../../domain/jsonNesting.js';
import { decide, stop, takeNow } from '../../domain/effect.js';

/**
 * Codex's page cursors: plain JSON text. Paginated threads name a rollout ordinal and a scope;
 * legacy threads name a turn id. `includeAnchor` is true on a backwards cursor.
 *
 * Beyond Codex: in a file whose ordinals are not its lines' (`numberedOtherwise`: a Codex and
 * another writer numbering lines from their own counters can repeat an ordinal, Codex alone can
 * too), an ordinal does not name one place, so the engine's cursors there also carry the anchor's
 * line in its file (`rolloutLine`), and the walk compares lines. A file as Codex writes it has
 * cursors exactly as Codex's.
 */
export type CursorScope = 'turns' | 'itemsByCreatedAtOrdinal';

const HistoryCursorCodec = t.intersection([
  t.type({
    requestedThreadId: t.string,
    rolloutOrdinal: t.number,
    includeAnchor: t.boolean,
    scope: t.type({ kind: t.keyof({ turns: null, itemsByCreatedAtOrdinal: null, itemsByUpdatedAtOrdinal: null }) }),
  }),
  t.partial({ rolloutLine: t.number }),
]);

const TurnCursorCodec = t.type({ turnId: t.string, includeAnchor: t.boolean });

export interface HistoryCursor {
  readonly rolloutOrdinal: number;
  readonly includeAnchor: boolean;
  /** The anchor's line in its file, where its ordinal may name more than one line (the engine's cursors only). */
  readonly rolloutLine?: number;
}

export interface TurnCursor {
  readonly turnId: string;
  readonly includeAnchor: boolean;
}

export const invalidCursor = (cursor: string): EngineError => rejected(`invalid cursor: ${cursor}`);

const jsonOrUndefined = (text: string): unknown => {
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
};

/** A paginated cursor for this thread and scope, else Codex's "invalid cursor: <text>". */
export const parseHistoryCursor = (
  text: string,
  threadId: string,
  scope: CursorScope,
): E.Either<EngineError, HistoryCursor> =>
  decide(() => {
    const c = takeNow(E.mapLeft(() => invalidCursor(text))(HistoryCursorCodec.decode(jsonOrUndefined(text))));
    if (
      c.requestedThreadId !== threadId ||
      c.scope.kind !== scope ||
      !Number.isSafeInteger(c.rolloutOrdinal) ||
      c.rolloutOrdinal < 0
    )
      return stop(invalidCursor(text));
    if (c.rolloutLine !== undefined && (!Number.isSafeInteger(c.rolloutLine) || c.rolloutLine < 0))
      return stop(invalidCursor(text));
    return {
      rolloutOrdinal: c.rolloutOrdinal,
      includeAnchor: c.includeAnchor,
      ...(c.rolloutLine === undefined ? {} : { rolloutLine: c.rolloutLine }),
    };
  });

export const serializeHistoryCursor = (
  threadId: string,
  scope: CursorScope,
  rolloutOrdinal: number,
  includeAnchor: boolean,
  rolloutLine?: number,
): string =>
  JSON.stringify({
    requestedThreadId: threadId,
    rolloutOrdinal,
    includeAnchor,
    scope: { kind: scope },
    ...(rolloutLine === undefined ? {} : { rolloutLine }),
  });

export const parseTurnCursor = (text: string): E.Either<EngineError, TurnCursor> => {
  const decoded = TurnCursorCodec.decode(jsonOrUndefined(text));
  return E.isLeft(decoded)
    ? E.left(invalidCursor(text))
    : E.right({ turnId: decoded.right.turnId, includeAnchor: decoded.right.includeAnchor });
};

export const serializeTurnCursor = (turnId: string, includeAnchor: boolean): string =>
  JSON.stringify({ turnId, includeAnchor });
