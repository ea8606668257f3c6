import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';

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
  stepGrowth = percent;
  return () => {
    stepGrowth = undefined;
    v8.setFlagsFromString(`${GROWTH_FLAG}${startedWith()}`);
  };
};

/** The growth `setHeapGrowth` set, while it holds: `boundHeapHeadroom` sets none above it. */
let stepGrowth: number | undefined;

const GROWTH_FLAG = '--heap-growing-percent=';

/** The least growth `boundHeapHeadroom` sets (a first `tokens` report's, measured: tokensReport.ts). */
export const LEAST_GROWTH_PERCENT = 50;

/**
 * The growth that lets a heap of `live` bytes grow by `headroom` bytes before its next full
 * collection: at least LEAST_GROWTH_PERCENT, at most `most` (the growth the process was started with, or a step set).
 */
export const growthFor = (live: number, headroom: number, most: number): number =>
  Math.min(most, Math.max(LEAST_GROWTH_PERCENT, Math.round((100 * headroom) / Math.max(live, 1))));

/**
 * The old generation's growth past each full collection bounded by `headroom` bytes as well as by
 * the process's percent, until the returned function puts back the growth it was started with:
 * after each full collection, the percent is set from the heap it left (`growthFor`; V8 applies it
 * from the next one's limit). A whole-home catch-up holds the plan of every file (about 1 KB a
 * file: ~95 MB at 100,000 files), which the CLI's 200% let grow to three times that; a small
 * home's live set is a few MB, which keeps the started growth and pays no collection more (a
 * fixed 50% cost a 1 GB build more CPU; measured in the commit that made it). A process
 * started without a percent keeps V8's own rule; one whose step set a growth (`setHeapGrowth`)
 * gets none above it.
 */
export const boundHeapHeadroom = (headroom: number): (() => void) => {
  const most = startedWith();
  if (most === 0) return () => undefined;
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some(isFullCollection))
      v8.setFlagsFromString(`${GROWTH_FLAG}${growthFor(usedHeap(), headroom, stepGrowth ?? most)}`);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    v8.setFlagsFromString(`${GROWTH_FLAG}${stepGrowth ?? most}`);
  };
};

const isFullCollection = (e: PerformanceEntry): boolean =>
  (e as { readonly detail?: { readonly kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

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
