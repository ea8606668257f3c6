/**
 * `JSON.stringify` of plain data (no `toJSON`, no functions) in pieces that join to the same text,
 * a long array a few thousand elements a piece: a large value's text is never made whole (a
 * writer writes each piece and drops it). The transports' answers, whose arrays may be async
 * streams, are written by adapters/driving/rpc/streamedJson.ts.
 */

/** Elements of an array a piece holds at most. */
export const PIECE_ELEMENTS = 4096;

export function* jsonTextPieces(v: unknown, elementsPerPiece: number = PIECE_ELEMENTS): Generator<string> {
  if (Array.isArray(v)) {
    if (v.length <= elementsPerPiece) yield JSON.stringify(v);
    else {
      for (let i = 0; i < v.length; i += elementsPerPiece)
        yield `${i === 0 ? '[' : ','}${JSON.stringify(v.slice(i, i + elementsPerPiece)).slice(1, -1)}`;
      yield ']';
    }
    return;
  }
  if (typeof v !== 'object' || v === null) {
    yield JSON.stringify(v);
    return;
  }
  let first = true;
  yield '{';
  for (const [k, x] of Object.entries(v)) {
    // As `JSON.stringify` leaves out a key whose value it cannot write.
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonTextPieces(x, elementsPerPiece);
  }
  yield '}';
}
