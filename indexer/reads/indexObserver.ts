import type { GatePassing } from '../open/backfillGate.js';
import type { Freshness } from './freshness.js';

/**
 * What a long-running process (`serve`) is told about the index path as it runs, to count and log
 * it: how it passed the backfill gate, each read-repair of a thread and each home-wide catch-up
 * with its duration. The CLI's one-shot commands leave it out.
 */
export interface IndexObserver {
  readonly gatePassed: (passing: GatePassing, waitedMs: number) => void;
  /** `ensureThreadFresh` before a thread read: `fresh` found nothing to do, `caughtUp` tailed files, `rescanned` scanned the home. */
  readonly threadRefreshed: (threadId: string, freshness: Freshness, ms: number) => void;
  /** A home-wide refresh caught up `files` files (the watch's changed ones), or `all` (a scan of the home). */
  readonly homeCaughtUp: (files: number | 'all', ms: number) => void;
}
