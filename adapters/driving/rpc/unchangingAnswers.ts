import { holdsStream, JsonText } from './streamedJson.js';
import type { Id } from './servedConnection.js';

/**
 * Results answered again and again as the same object: a `thread/list` page kept while the index
 * stands (replay/internal/listingMemo.ts) is one object for every client asking for it until the
 * next write. What an answer makes of it (shaped for the connection's version, its JSON, its
 * UTF-8 bytes) is made at its first answer in that shape, and every later answer writes those
 * bytes: the page's shaping and serialization were the largest costs of a listing served from the
 * memo.
 *
 * A result is marked by the handler that knows it is never changed (`unchangingAnswer`); any
 * other result is shaped and serialized at each answer.
 */
const unchanging = new WeakSet<object>();

/** A result as one shape answers it: its JSON and that JSON's UTF-8 bytes. */
interface ShapedText {
  readonly json: string;
  readonly bytes: Buffer;
}

/** Per unchanging result, its texts by shape (a method and a version: `answerMessage`'s `shapeKey`). */
const texts = new WeakMap<object, Map<string, ShapedText>>();

/** Mark `result` as never changed once answered: what an answer makes of it may be made once and reused. */
export const unchangingAnswer = <A extends object>(result: A): A => {
  unchanging.add(result);
  return result;
};

/** A message whose result is an unchanging result's text: its bytes assembled, not encoded again. */
class AnswerText extends JsonText {
  constructor(
    private readonly head: string,
    private readonly result: ShapedText,
  ) {
    super(`${head}${result.json}}`);
  }

  override utf8(): Buffer {
    const head = Buffer.from(this.head, 'utf8');
    const out = Buffer.allocUnsafe(head.length + this.result.bytes.length + 1);
    head.copy(out, 0);
    this.result.bytes.copy(out, head.length);
    out[out.length - 1] = 0x7d; // '}'
    return out;
  }
}

/**
 * The text of `result` shaped by `shape` (`shapeKey` names the shape), made at its first answer in
 * that shape; or, when the shaped result holds a stream (written as it is read: no text to keep),
 * that shaped result.
 */
const shapedTextOf = (
  result: object,
  shapeKey: string,
  shape: (result: unknown) => unknown,
): ShapedText | { readonly streamed: unknown } => {
  let byShape = texts.get(result);
  const known = byShape?.get(shapeKey);
  if (known !== undefined) return known;
  const shaped = shape(result);
  if (holdsStream(shaped)) return { streamed: shaped };
  const json = JSON.stringify(shaped);
  const made = { json, bytes: Buffer.from(json, 'utf8') };
  if (byShape === undefined) texts.set(result, (byShape = new Map()));
  byShape.set(shapeKey, made);
  return made;
};

/**
 * The answer to request `id`: the message `{ jsonrpc, id, result }` with the result as `shape`
 * makes it for the connection (`methodAnswerAt`), or, for an unchanging result, that message's
 * text, the same `JSON.stringify` gives, with the shaped result's made once per `shapeKey` (the
 * method and the version: everything `shape` depends on besides the result).
 */
export const answerMessage = (
  id: Id,
  result: unknown,
  shapeKey: string,
  shape: (result: unknown) => unknown,
): unknown => {
  if (typeof result !== 'object' || result === null || !unchanging.has(result))
    return { jsonrpc: '2.0', id, result: shape(result) };
  const text = shapedTextOf(result, shapeKey, shape);
  return 'streamed' in text
    ? { jsonrpc: '2.0', id, result: text.streamed }
    : new AnswerText(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":`, text);
};
