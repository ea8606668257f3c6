import type { IndexStore } from '../../domain/ports.js';
import { firstMissing } from '../../domain/search/gramSignature.js';
import { indexWriteMark } from '../../domain/index/indexWriteMark.js';
import { scanRows } from './scanRows.js';
import { take } from '../../domain/effect.js';
import { detachedUnlessSame } from '../../domain/index/detachedString.js';

/** Every rollout file's search signature, as the index held them at `mark`. */
interface Signatures {
  readonly mark: string | null;
  readonly rolloutIds: ReadonlyArray<string>;
  readonly signatures: ReadonlyArray<Uint8Array>;
  /**
   * The thread of each file, where a search found it (else undefined): filled as searches find
   * them. `threadsOf`'s entries by position, so a warm sweep of a term found in most files reads an
   * array, not a map, per file found.
   */
  readonly threadIds: Array<string | undefined>;
}

/**
 * Per store, the thread of each rollout a search found so far, read from its rollout row when
 * first found and kept across writes (a rollout's thread is named by its file's name and never
 * changes; those of rollouts since deleted are dropped at the next load). Read for every file at
 * each load instead, they were half of the first search of 100,000 files, again after every
 * write; and each kept a cut of its row's text (112 MB live), so a thread id is the rollout's own
 * id where it is the thread's, else a copy.
 */
const threadsOf = new WeakMap<IndexStore, Map<string, string>>();

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
  // The threads found before the last write, for the files still indexed: a deleted rollout's go.
  const before = threadsOf.get(index);
  const threadOf = new Map<string, string>();
  const threadIds = rolloutIds.map((id) => {
    const thread = before?.get(id);
    if (thread !== undefined) threadOf.set(id, thread);
    return thread;
  });
  threadsOf.set(index, threadOf);
  return { mark, rolloutIds, signatures, threadIds };
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
export const filesHolding = async (
  index: IndexStore,
  s: Signatures,
  bits: ReadonlyArray<number>,
): Promise<{ readonly files: Set<string>; readonly threads: Set<string> }> => {
  const files = new Set<string>();
  const threads = new Set<string>();
  const unknown: number[] = [];
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
    else unknown.push(i);
  }
  const threadOf = threadsOf.get(index) ?? new Map<string, string>();
  if (unknown.length > 0) threadsOf.set(index, threadOf);
  for (const i of unknown) {
    const rolloutId = s.rolloutIds[i]!;
    // Each file's rollout row names its thread (a revision's too).
    const threadId = (await take(index.get('rollouts', [rolloutId])))?.threadId;
    if (threadId === undefined) continue;
    const thread = detachedUnlessSame(threadId, rolloutId);
    threadOf.set(rolloutId, thread);
    s.threadIds[i] = thread;
    threads.add(thread);
  }
  return { files, threads };
};
