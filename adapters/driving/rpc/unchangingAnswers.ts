import { JsonText } from './streamedJson.js';
import type { Id } from './servedConnection.js';

/**
 * Results answered again and again as the same object: a `thread/list` page kept while the index
 * stands (replay/internal/listingMemo.ts) is one object for every client asking for it until the
 * next write. Their JSON is made once, at the first answer, and every later answer writes that
 * text: the page's serialization was the largest cost of a listing served from the memo.
 *
 * A result is marked by the handler that knows it is never changed (`unchangingAnswer`); a copy
 * made of it (a version's shaping, `methodAnswerAt`) is not marked and is serialized as usual.
 */
const unchanging = new WeakSet<object>();
const texts = new WeakMap<object, string>();

/** Mark `result` as never changed once answered: its JSON may be made once and reused. */
export const unchangingAnswer = <A extends object>(result: A): A => {
  unchanging.add(result);
  return result;
};

/** The JSON of an unchanging result, made at its first answer. */
const textOf = (result: object): string => {
  let text = texts.get(result);
  if (text === undefined) texts.set(result, (text = JSON.stringify(result)));
  return text;
};

/**
 * The answer to request `id`: the message `{ jsonrpc, id, result }`, or, for an unchanging result,
 * that message's text (the same `JSON.stringify` gives, with the result's text made once).
 */
export const answerMessage = (id: Id, result: unknown): unknown =>
  typeof result === 'object' && result !== null && unchanging.has(result)
    ? new JsonText(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${textOf(result)}}`)
    : { jsonrpc: '2.0', id, result };
