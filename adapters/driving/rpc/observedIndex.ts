import type { IndexObserver } from '../../../indexer/reads/indexObserver.js';
import type { ServerMetrics } from './metrics.js';
import type { Log } from './structuredLog.js';

/**
 * The index path as `serve` observes it: each gate pass, read-repair and home-wide catch-up is
 * counted (`/metrics`, over WebSocket only: stdio has no HTTP) and logged, one structured line each.
 * A read-repair that found nothing to do is the common case: logged at debug only. Where the
 * process's status lines already tell the gate's verdict to a person (`serve` on stdio), its line
 * is debug too (`gateToldByStatus`), so stderr does not say it twice in two formats.
 */
export const observedIndex = (
  metrics: ServerMetrics | undefined,
  log: Log,
  gateToldByStatus = false,
): IndexObserver => ({
  gatePassed: (passing, waitedMs) => {
    metrics?.gatePassed(passing, waitedMs / 1000);
    (gateToldByStatus ? log.debug : passing === 'files' ? log.warn : log.info)('backfill gate passed', {
      passing,
      waitedMs: Math.round(waitedMs),
    });
  },
  threadRefreshed: (threadId, freshness, ms) => {
    metrics?.threadRefreshed(freshness, ms / 1000);
    (freshness === 'fresh' ? log.debug : log.info)('thread read-repair', {
      threadId,
      freshness,
      ms: Math.round(ms * 1000) / 1000,
    });
  },
  homeCaughtUp: (files, ms) => {
    metrics?.homeCaughtUp(files === 'all' ? 'all' : 'changed', ms / 1000);
    log.info('home caught up', { files, ms: Math.round(ms * 1000) / 1000 });
  },
});
