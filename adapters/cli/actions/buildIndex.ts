import { indexHome } from '../../../indexer/indexHome.js';
import type { IndexHomeSummary } from '../../../indexer/indexHome.js';
import { renderQuarantined } from '../../../indexer/quarantined.js';
import { quarantineFileOf } from '../../jsonl/quarantine.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback } from '../progress.js';

const summaryText = (s: IndexHomeSummary, indexDir: string): string =>
  [
    `indexed ${s.files} files: ${s.lines} lines, ${(s.bytes / 1048576).toFixed(1)} MB in ${s.seconds.toFixed(2)} s ` +
      `(${s.indexed} new, ${s.tailed} caught up, ${s.reindexed} re-indexed, ${s.unchanged} unchanged, ${s.deleted} deleted, ` +
      `${s.duplicates.length} duplicate ids)`,
    // The home's total (each rollout file's count is in the index), not only what this run read.
    `${renderQuarantined(s.quarantinedInHome)} (${s.quarantined} found by this run${s.quarantinedInHome.lines > 0 ? `; see ${quarantineFileOf(indexDir)}` : ''})`,
    ...s.duplicates.map((d) => `  duplicate ${d.rolloutId}: using ${d.winner}, ignoring ${d.losers.join(', ')}`),
    ...s.mismatched.map((m) => `  ${m.path} holds thread ${m.metaThreadId}`),
    ...s.unreadable.map((u) => `  unreadable ${u.path}: ${u.reason}`),
  ].join('\n');

/**
 * Counts first in the JSON summary, then the lists. `quarantined` is the home's total (as
 * `quarantinedFiles`); `quarantinedThisRun` the lines this run read and quarantined.
 */
const summaryJson = (s: IndexHomeSummary): unknown => {
  const { files, bytes, lines, quarantined, seconds, quarantinedInHome, ...rest } = s;
  return { files, bytes, lines, quarantined: quarantinedInHome.lines, seconds, quarantinedFiles: quarantinedInHome.files, quarantinedThisRun: quarantined, ...rest };
};

/** What `rollout-engine buildIndex` does (loaded by its action only). */
export const action = async (opts: HomeOptions & { rebuild?: boolean; workers?: number; readerThread: boolean }) => {
  const home = homeOf(opts);
  const r = await indexHome({
    ...home,
    rebuild: opts.rebuild === true,
    onStatus: cliFeedback.onStatus,
    workers: opts.workers,
    readerThread: opts.readerThread,
  });
  cliFeedback.settle();
  await printAnswer(r, opts.json, { text: (s) => summaryText(s, home.indexDir), json: summaryJson });
};
