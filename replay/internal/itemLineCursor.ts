import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { invalidCursor } from './cursors.js';
import { parseJson } from '../../domain/jsonNesting.js';

/**
 * Item cursors of legacy threads, which Codex cannot page (its legacy lines carry no ordinal):
 * the same plain-JSON style, naming the rollout file and line of the anchor item.
 */
const ItemLineCursorCodec = t.type({
  requestedThreadId: t.string,
  rolloutId: t.string,
  line: t.number,
  includeAnchor: t.boolean,
  scope: t.type({ kind: t.literal('itemsByLine') }),
});

export const itemLineCursor = (threadId: string, rolloutId: string, line: number, includeAnchor: boolean): string =>
  JSON.stringify({ requestedThreadId: threadId, rolloutId, line, includeAnchor, scope: { kind: 'itemsByLine' } });

export const parseItemLineCursor = (
  text: string,
  threadId: string,
): E.Either<EngineError, { rolloutId: string; line: number; includeAnchor: boolean }> => {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    return E.left(invalidCursor(text));
  }
  const d = ItemLineCursorCodec.decode(json);
  if (E.isLeft(d) || d.right.requestedThreadId !== threadId || !Number.isSafeInteger(d.right.line) || d.right.line < 0)
    return E.left(invalidCursor(text));
  return E.right({ rolloutId: d.right.rolloutId, line: d.right.line, includeAnchor: d.right.includeAnchor });
};
