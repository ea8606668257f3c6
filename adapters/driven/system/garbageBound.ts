import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * Full collections for a one-shot process whose steps each leave much garbage: one after every
 * `everyBytes` of source read, and one when a step is done. V8 lets the old generation grow far
 * past the live set before it collects (`--heap-growing-percent`), and a next step then grows the
 * heap again for its own objects beside the last one's garbage.
 * - Importing a session makes several times its size in short-lived strings (each line decoded,
 *   parsed, rendered twice, batched for the writer): a large session's peak RSS was far above what
 *   a capped old generation gave. Collecting every few MB read, and once at the end, keeps the
 *   peak flat whatever the session's size, for little time a collection.
 * - A `tokens` run's catch-up plans every file of the home (its checkpoint, its probe, its action:
 *   all garbage once it is caught up); collected before the report reads its tables, a warm
 *   report on a large home peaks lower. It collects only as its steps end: its reading leaves
 *   little garbage, and a forced collection costs the fold its optimized code (tokensReport.ts).
 * `done` collects when the step read anything since the last collection, or grew the heap by
 * `stepBytes` (a step of many objects and no reading; `everyBytes` unless given); a small step costs nothing.
 */
export interface GarbageBound {
  /** `bytes` more of the source read. */
  readonly read: (bytes: number) => void;
  /** A step is done: what it left goes before the next starts. */
  readonly done: () => void;
}

export const garbageBound = (everyBytes = 8 * 1024 * 1024, stepBytes = everyBytes): GarbageBound => {
  const collect = exposedCollector();
  if (collect === undefined) return { read: () => undefined, done: () => undefined };
  let since = 0;
  let heapAfter = usedHeap();
  const collectNow = (): void => {
    collect();
    since = 0;
    heapAfter = usedHeap();
  };
  return {
    read: (bytes) => {
      since += bytes;
      if (since >= everyBytes) collectNow();
    },
    // What a step left goes before the next step (indexing the new thread; a report) starts.
    done: () => {
      if (since > 0 || usedHeap() - heapAfter >= stepBytes) collectNow();
    },
  };
};

const usedHeap = (): number => v8.getHeapStatistics().used_heap_size;

/**
 * How far past what a full collection left the old generation grows before V8 collects it again,
 * until the returned function puts back the growth the process was started with
 * (`--heap-growing-percent`, which V8 reads each time a full collection sets the next one's limit;
 * the CLI's flags say 200 for an index build: nodeFlags.ts). A step that holds a large live set
 * throughout (a `tokens` catch-up holds the plan of every file of the home) otherwise peaks at
 * three times it, and the peak grows with the home. The price is more (incremental) collections
 * of that live set: worth it where the step makes little garbage.
 */
export const setHeapGrowth = (percent: number): (() => void) => {
  if (!Number.isInteger(percent) || percent < 0) throw new RangeError(`heap growth ${percent}%: not a whole percent`);
  v8.setFlagsFromString(`${GROWTH_FLAG}${percent}`);
  return () => v8.setFlagsFromString(`${GROWTH_FLAG}${startedWith()}`);
};

const GROWTH_FLAG = '--heap-growing-percent=';

/** The growth this process was started with (0: V8's own rule). */
const startedWith = (): number => {
  const flag = process.execArgv.filter((a) => a.startsWith(GROWTH_FLAG)).pop();
  const percent = flag === undefined ? 0 : Number(flag.slice(GROWTH_FLAG.length));
  return Number.isInteger(percent) && percent >= 0 ? percent : 0;
};

let collector: (() => void) | null | undefined;

/** V8's `gc()`, exposed once for this process (null where the runtime refuses). */
const exposedCollector = (): (() => void) | undefined => {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      const gc: unknown = vm.runInNewContext('gc');
      collector = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      collector = null;
    }
  }
  return collector ?? undefined;
};
