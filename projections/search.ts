import { conversationTextOf } from '../domain/search/conversationText.js';
import { eachGramHash, gramHashesOfText, setHash, setHashes, SIGNATURE_BYTES } from '../domain/search/gramSignature.js';
import { blockOfLine, lineEntryBytes, writeLineEntry, writeLineEntryOf } from '../domain/search/lineSignatures.js';
import type { Batch } from './batch.js';
import type { Projection } from './projection.js';

/** Texts up to this many code units have their gram hashes held in an array (one pass); longer ones are hashed as they are set. */
const HASHES_HELD_UP_TO = 64 * 1024;

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

/** A block of line signatures being written in a batch: its bytes with room to grow, and the view of them the batch holds. */
interface GrowingBlock {
  buffer: Uint8Array;
  used: number;
  view: Uint8Array | undefined;
}

/** Per batch (so a batch never grows another's block), the blocks it is writing, by rollout and block. */
const growing = new WeakMap<Batch, Map<string, GrowingBlock>>();

/** Appends a line's entry to its block: amortised constant work a line, the block put as a view of what is written. */
const addLineSignature = (
  b: Batch,
  rolloutId: string,
  line: number,
  grams: number,
  write: (block: Uint8Array, at: number) => number,
): void => {
  const key = [rolloutId, blockOfLine(line)] as const;
  const stored = b.get('searchLines', key);
  let blocks = growing.get(b);
  if (blocks === undefined) growing.set(b, (blocks = new Map()));
  const name = `${rolloutId}\u0000${key[1]}`;
  let block = blocks.get(name);
  // Not ours (first write in this batch, or the rollout's rows were reset since): start from what is stored.
  if (block === undefined || block.view !== stored) {
    block = {
      buffer: new Uint8Array(Math.max(256, 2 * (stored?.length ?? 0))),
      used: stored?.length ?? 0,
      view: undefined,
    };
    if (stored !== undefined) block.buffer.set(stored);
    blocks.set(name, block);
  }
  const bytes = lineEntryBytes(grams);
  if (block.used + bytes > block.buffer.length) {
    const bigger = new Uint8Array(Math.max(2 * block.buffer.length, block.used + bytes));
    bigger.set(block.buffer.subarray(0, block.used));
    block.buffer = bigger;
  }
  block.used = write(block.buffer, block.used);
  block.view = block.buffer.subarray(0, block.used);
  b.put('searchLines', key, block.view);
};

/**
 * What `thread/search` reads of a rollout file: each line's conversation text (user and agent
 * message events, user / assistant response messages), the file's trigram signature, so a query
 * reads only the files that can match, and each such line's own signature (`searchLines`), so it
 * reads only the texts that can match.
 */
export const searchProjection: Projection = {
  name: 'search',
  apply: (b, ctx, ev, pos) => {
    const text = conversationTextOf(ev);
    if (text === null) return;
    b.put('searchText', [ctx.rolloutId, pos.line], text);
    const searched = text.raw ?? text.text;
    const signature = signatureToEdit(b, ctx.rolloutId);
    if (searched.length <= HASHES_HELD_UP_TO) {
      const hashes = gramHashesOfText(searched);
      setHashes(signature, hashes);
      addLineSignature(b, ctx.rolloutId, pos.line, hashes.length, (block, at) =>
        writeLineEntry(block, at, pos.line, hashes),
      );
      return;
    }
    // A long text is hashed twice (count, then set) rather than held: two hashes a character.
    let grams = 0;
    eachGramHash(searched, () => (grams += 1));
    addLineSignature(b, ctx.rolloutId, pos.line, grams, (block, at) =>
      writeLineEntryOf(block, at, pos.line, grams, (set) =>
        eachGramHash(searched, (hash) => {
          setHash(signature, hash);
          set(hash);
        }),
      ),
    );
  },
};
