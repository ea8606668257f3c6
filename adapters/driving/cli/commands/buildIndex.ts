import * as os from 'node:os';
import type { IndexHomeSummary } from '../../../../indexer/indexHome.js';
import { command } from '../commandSpec.js';
import { option } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS } from '../homeOptions.js';

/**
 * Counts first in the JSON summary, then the lists. `quarantined` is the home's total (as
 * `quarantinedFiles`); `quarantinedThisRun` the lines this run read and quarantined.
 */
const summaryJson = (s: IndexHomeSummary): unknown => {
  const { files, bytes, lines, quarantined, seconds, quarantinedInHome, ...rest } = s;
  return {
    files,
    bytes,
    lines,
    quarantined: quarantinedInHome.lines,
    seconds,
    quarantinedFiles: quarantinedInHome.files,
    quarantinedThisRun: quarantined,
    ...rest,
  };
};

export const indexCommand = command({
  name: 'index',
  description: 'index the rollouts of a CODEX_HOME into LMDB (incremental: only new bytes are read)',
  arguments: [],
  options: {
    ...HOME_AND_JSON_OPTIONS,
    rebuild: option('--rebuild', 'rebuild from scratch into a fresh environment, then swap it in'),
    workers: option('--workers <n>', 'index a large catch-up in n worker threads (default 1)', {
      parse: (v) => Math.max(1, Math.min(os.availableParallelism(), Number.parseInt(v, 10) || 1)),
    }),
    readerThread: option('--no-reader-thread', 'read the rollouts on the indexing thread itself (less memory, slower)'),
  },
  run: async ({ opts }) => {
    const [
      { indexHome },
      { renderQuarantined },
      { quarantineFileOf },
      { withHome },
      { printAnswer },
      { cliFeedback },
      { openTailReaderThread },
    ] = await Promise.all([
      import('../../../../indexer/indexHome.js'),
      import('../../../../indexer/verify/quarantined.js'),
      import('../../../driven/jsonl/writers/quarantine.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
      import('../progress.js'),
      import('../../../driven/jsonl/workers/tailReaderThread.js'),
    ]);
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
    await withHome(opts, async (home) => {
      const r = await indexHome({
        ...home,
        rebuild: opts.rebuild === true,
        onStatus: cliFeedback.onStatus,
        workers: opts.workers,
        // `--no-reader-thread`: every file read on the indexing thread.
        tailReader: opts.readerThread === false ? undefined : openTailReaderThread,
      });
      cliFeedback.settle();
      await printAnswer(r, opts, { text: (s) => summaryText(s, home.indexDir), json: summaryJson });
    });
  },
});
