import { conversationTextOf } from '../domain/search/conversationText.js';
import { addToSignature, SIGNATURE_BYTES } from '../domain/search/gramSignature.js';
import type { Batch } from './batch.js';
import type { Projection } from './projection.js';

/** Signatures this process made and put in a batch: edited in place until committed (a stored one is copied first). */
const own = new WeakSet<Uint8Array>();

const signatureToEdit = (b: Batch, rolloutId: string): Uint8Array => {
  const stored = b.get('searchGrams', [rolloutId]);
  if (stored !== undefined && own.has(stored)) return stored;
  // A stored signature keeps its size (its bits are hashes cut to it).
  const signature = new Uint8Array(stored?.length ?? SIGNATURE_BYTES);
  if (stored !== undefined) signature.set(stored);
  own.add(signature);
  b.put('searchGrams', [rolloutId], signature);
  return signature;
};

/**
 * What `thread/search` reads of a rollout file: each line's conversation text (user and agent
 * message events, user / assistant response messages), and the file's trigram signature, so a
 * query reads only the files that can match.
 */
export const searchProjection: Projection = {
  name: 'search',
  apply: (b, ctx, ev, pos) => {
    const text = conversationTextOf(ev);
    if (text === null) return;
    b.put('searchText', [ctx.rolloutId, pos.line], text);
    addToSignature(signatureToEdit(b, ctx.rolloutId), text.raw ?? text.text);
  },
};
