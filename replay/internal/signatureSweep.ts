import type { IndexStore } from '../../domain/ports.js';
import { firstMissing } from '../../domain/search/gramSignature.js';
import { indexWriteMark } from './indexWriteMark.js';
import { scanRows } from './scanRows.js';
import { take } from '../../domain/effect.js';
import { detachedString } from '../../domain/index/detachedString.js';

/** Every rollout file's search signature and thread, as the index held them at `mark`. */
interface Signatures {
  readonly mark: string | null;
  readonly rolloutIds: ReadonlyArray<string>;
  readonly threadIds: ReadonlyArray<string | undefined>;
  readonly signatures: ReadonlyArray<Uint8Array>;
  readonly byRollout: ReadonlyMap<string, Uint8Array>;
}

/**
 * The signatures of a store, kept while its write mark stays (any committed write, by any process,
 * or a rebuild swapped in changes it): a search then tests every file's signature in memory, a few
 * µs a thousand files, where reading them (a range read and a copy of 2 KiB each) took ms per
 * query. A store without a mark is read each time.
 */
const kept = new WeakMap<IndexStore, Signatures>();

const load = async (index: IndexStore, mark: string | null): Promise<Signatures> => {
  const rolloutIds: string[] = [];
  const signatures: Uint8Array[] = [];
  for await (const { key, value } of scanRows(index, 'searchGrams', [], { reverse: false }, 1024)) {
    rolloutIds.push(key[0]);
    signatures.push(value);
  }
  const threadIds: Array<string | undefined> = [];
  // Each file's rollout row names its thread (a revision's too). Kept for as long as the index
  // stands: the rollout's own id when it is the thread's, else a copy, never a cut of the row's text
  // (the store's decoder cuts a row's strings out of one string of it, which V8 then keeps whole:
  // 112 MB of rows in `serve` after one search of 100,000 files).
  for (const rolloutId of rolloutIds) {
    const threadId = (await take(index.get('rollouts', [rolloutId])))?.threadId;
    threadIds.push(threadId === undefined ? undefined : threadId === rolloutId ? rolloutId : detachedString(threadId));
  }
  return {
    mark,
    rolloutIds,
    threadIds,
    signatures,
    byRollout: new Map(rolloutIds.map((id, i) => [id, signatures[i]!])),
  };
};

/** The signatures kept for this store, if nothing was written since they were read. */
export const keptSignatures = (index: IndexStore): Signatures | undefined => {
  const known = kept.get(index);
  const mark = known === undefined ? null : indexWriteMark(index);
  return known !== undefined && mark !== null && known.mark === mark ? known : undefined;
};

/** Every file's signature: those kept, or read again (and kept) when the store changed since. */
export const currentSignatures = async (index: IndexStore): Promise<Signatures> => {
  const mark = indexWriteMark(index);
  const known = kept.get(index);
  if (known !== undefined && mark !== null && known.mark === mark) return known;
  // The mark is read before the rows: a write meanwhile leaves an older mark, and the next search reads again.
  const loaded = await load(index, mark);
  if (mark !== null) kept.set(index, loaded);
  return loaded;
};

/** The files whose signature holds every bit, and the threads whose current file may be one of them. */
export const filesHolding = (
  s: Signatures,
  bits: ReadonlyArray<number>,
): { readonly files: Set<string>; readonly threads: Set<string> } => {
  const files = new Set<string>();
  const threads = new Set<string>();
  // The hash that last ruled a file out is tested first: it usually rules the next out too, so a
  // file costs one probe of its signature, not one per gram the term shares with it (the signatures
  // of a large home are many megabytes: each probe is a cache miss).
  const order = [...bits];
  for (let i = 0; i < s.signatures.length; i++) {
    const missing = firstMissing(s.signatures[i]!, order);
    if (missing > 0) [order[0], order[missing]] = [order[missing]!, order[0]!];
    if (missing >= 0) continue;
    files.add(s.rolloutIds[i]!);
    const thread = s.threadIds[i];
    if (thread !== undefined) threads.add(thread);
  }
  return { files, threads };
};
