import * as os from 'node:os';
import type { Command } from 'commander';
import { indexHome } from '../../indexer/indexHome.js';
import type { CatchUpSummary } from '../../indexer/catchUp.js';
import { homeOf, withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback } from '../progress.js';

const summaryText = (s: CatchUpSummary): string =>
  [
    `indexed ${s.files} files: ${s.lines} lines, ${(s.bytes / 1048576).toFixed(1)} MB in ${s.seconds.toFixed(2)} s ` +
      `(${s.indexed} new, ${s.tailed} caught up, ${s.reindexed} re-indexed, ${s.unchanged} unchanged, ${s.deleted} deleted, ` +
      `${s.quarantined} quarantined lines, ${s.duplicates.length} duplicate ids)`,
    ...s.duplicates.map((d) => `  duplicate ${d.rolloutId}: using ${d.winner}, ignoring ${d.losers.join(', ')}`),
    ...s.mismatched.map((m) => `  ${m.path} holds thread ${m.metaThreadId}`),
    ...s.unreadable.map((u) => `  unreadable ${u.path}: ${u.reason}`),
  ].join('\n');

/** Counts first in the JSON summary, then the lists. */
const summaryJson = (s: CatchUpSummary): unknown => {
  const { files, bytes, lines, quarantined, seconds, ...rest } = s;
  return { files, bytes, lines, quarantined, seconds, ...rest };
};

export const registerIndex = (program: Command): void => {
  withHomeOptions(program.command('index').description('index the rollouts of a CODEX_HOME into LMDB (incremental: only new bytes are read)'))
    .option('--rebuild', 'rebuild from scratch into a fresh environment, then swap it in')
    .option('--workers <n>', 'index a large catch-up in n worker threads (default 1)', (v) =>
      Math.max(1, Math.min(os.availableParallelism(), Number.parseInt(v, 10) || 1)),
    )
    .option('--no-reader-thread', 'read the rollouts on the indexing thread itself (less memory, slower)')
    .action(async (opts: HomeOptions & { rebuild?: boolean; workers?: number; readerThread: boolean }) => {
      const r = await indexHome({
        ...homeOf(opts),
        rebuild: opts.rebuild === true,
        onStatus: cliFeedback.onStatus,
        workers: opts.workers,
        readerThread: opts.readerThread,
      });
      cliFeedback.settle();
      printAnswer(r, opts.json, { text: summaryText, json: summaryJson });
    });
};
