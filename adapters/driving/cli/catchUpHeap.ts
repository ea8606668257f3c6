import type { IndexStatus } from '../../../indexer/open/indexStatus.js';
import { boundHeapHeadroom } from '../../driven/system/garbageBound.js';

/**
 * How far the heap may grow past what a full collection left while a catch-up runs
 * (`boundHeapHeadroom`): a whole-home catch-up holds the plan of every file (about 1 KB a file),
 * and under the CLI's 200% a home of 100,000 files peaked at three times it. A real-shaped home
 * of 3 GB and less keeps less than half of this live, and the CLI's growth.
 */
export const CATCH_UP_HEADROOM_BYTES = 64 * 2 ** 20;

/**
 * The heap's bound for a CLI process's catch-ups, told by their statuses (every command's catch-up
 * reports to the CLI's feedback: `index`, a command's backfill gate, `serve`'s build behind its
 * answers, a `tokens` report's): bounded from a catch-up's probes to its end (`done`, or `stopped`
 * short of it: a failed one in `serve` left the bound for the process's life), as the growth the
 * process was started with (or a command set: `setHeapGrowth`) after the last one ends.
 */
export const catchUpHeap = (bound: (headroom: number) => () => void = boundHeapHeadroom) => {
  const running = new Set<string>();
  let back: (() => void) | undefined;
  return (s: IndexStatus): void => {
    if (s.kind === 'backfillFailed') running.clear();
    else if (s.kind === 'indexing') {
      const key = `${s.work} ${s.home}`;
      if (s.progress.stage === 'done' || s.progress.stage === 'stopped') running.delete(key);
      else running.add(key);
    } else return;
    if (running.size > 0 && back === undefined) back = bound(CATCH_UP_HEADROOM_BYTES);
    else if (running.size === 0 && back !== undefined) {
      back();
      back = undefined;
    }
  };
};
