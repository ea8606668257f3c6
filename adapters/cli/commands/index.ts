import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import type { Command } from 'commander';
import type { EngineError } from '../../../domain/errors.js';
import { BACKFILLED_KEY, openIndex } from '../../indexer/openIndex.js';
import { catchUpHome } from '../../indexer/catchUp.js';
import type { CatchUpSummary } from '../../indexer/catchUp.js';
import { fileQuarantineSink } from '../../jsonl/quarantine.js';
import { resolveCodexHome } from '../codexHome.js';
import { lmdbDirOf, resolveIndexDir } from '../indexDir.js';
import { progressBar } from '../progress.js';
import { addIndexOptions, printError } from '../indexCommand.js';

export interface IndexRun {
  readonly codexHome: string;
  readonly indexDir: string;
  readonly rebuild: boolean;
  readonly progress: boolean;
  /** Worker threads for a large catch-up (1: this thread). */
  readonly workers?: number;
  /** Read on a reader thread when there is much to read (default true). */
  readonly readerThread?: boolean;
}

/**
 * Catch the index up (or rebuild it into a fresh environment and swap it in: readers that have
 * the old one open keep reading it until they reopen).
 */
export const runIndex = async (run: IndexRun): Promise<E.Either<EngineError, CatchUpSummary>> => {
  const target = lmdbDirOf(run.indexDir);
  const dir = run.rebuild ? `${target}.rebuild-${process.pid}` : target;
  if (run.rebuild) await fs.rm(dir, { recursive: true, force: true });
  const opened = await openIndex(dir, run.codexHome)();
  if (E.isLeft(opened)) return opened;
  const store = opened.right.store;
  const bar = progressBar(run.progress);
  const result = await catchUpHome(store, run.codexHome, {
    quarantine: fileQuarantineSink(run.indexDir),
    onProgress: bar.update,
    // Worker threads are opt-in: on a shared 2-core machine one thread measured faster (bench/index.ts).
    workers: { count: run.workers ?? 1, indexPath: dir },
    ...(run.readerThread === undefined ? {} : { readerThread: run.readerThread }),
  })();
  bar.stop();
  const marked = E.isRight(result)
    ? store.transact('mark backfilled', (_r, write) => write({ op: 'put', table: 'meta', key: [...BACKFILLED_KEY], value: true }))
    : E.right<EngineError, void>(undefined);
  const closed = await store.close()();
  if (E.isLeft(marked)) return marked;
  if (E.isLeft(result)) return result;
  if (E.isLeft(closed)) return closed;
  if (run.rebuild) {
    const old = `${target}.old-${process.pid}`;
    await fs.rename(target, old).catch(() => undefined);
    await fs.rename(dir, target);
    await fs.rm(old, { recursive: true, force: true });
  }
  return result;
};

export const registerIndex = (program: Command): void => {
  addIndexOptions(program.command('index').description('index the rollouts of a CODEX_HOME into LMDB (incremental: only new bytes are read)'))
    .option('--rebuild', 'rebuild from scratch into a fresh environment, then swap it in')
    .option('--json', 'print a JSON summary {files, bytes, lines, quarantined, seconds, …}')
    .option('--workers <n>', 'index a large catch-up in n worker threads (default 1)', (v) => Math.max(1, Math.min(os.availableParallelism(), Number.parseInt(v, 10) || 1)))
    .option('--no-reader-thread', 'read the rollouts on the indexing thread itself (less memory, slower)')
    .action(async (opts: { codexHome?: string; indexDir?: string; rebuild?: boolean; json?: boolean; workers?: number; readerThread: boolean }) => {
      const codexHome = resolveCodexHome(opts.codexHome);
      const r = await runIndex({
        codexHome,
        indexDir: resolveIndexDir(codexHome, opts.indexDir),
        rebuild: opts.rebuild === true,
        progress: process.stderr.isTTY === true && opts.json !== true,
        ...(opts.workers === undefined ? {} : { workers: opts.workers }),
        readerThread: opts.readerThread,
      });
      if (E.isLeft(r)) return printError(r.left);
      const s = r.right;
      if (opts.json) {
        const { files, bytes, lines, quarantined, seconds, ...rest } = s;
        process.stdout.write(`${JSON.stringify({ files, bytes, lines, quarantined, seconds, ...rest })}\n`);
      } else {
        process.stdout.write(
          `indexed ${s.files} files: ${s.lines} lines, ${(s.bytes / 1048576).toFixed(1)} MB in ${s.seconds.toFixed(2)} s ` +
            `(${s.indexed} new, ${s.tailed} caught up, ${s.reindexed} re-indexed, ${s.unchanged} unchanged, ${s.deleted} deleted, ` +
            `${s.quarantined} quarantined lines, ${s.duplicates.length} duplicate ids)\n`,
        );
        for (const d of s.duplicates) process.stdout.write(`  duplicate ${d.rolloutId}: using ${d.winner}, ignoring ${d.losers.join(', ')}\n`);
        for (const m of s.mismatched) process.stdout.write(`  ${m.path} holds thread ${m.metaThreadId}\n`);
        for (const u of s.unreadable) process.stdout.write(`  unreadable ${u.path}: ${u.reason}\n`);
      }
    });
};
