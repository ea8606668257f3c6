import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import { TOKEN_ROLLOUT_TABLES } from '../../domain/index/rows.js';
import type { TailReader } from '../../adapters/driven/jsonl/readers/tailReader.js';
import type { ProjectionSubset } from '../../projections/all.js';
import { holdPoint } from '../../adapters/driven/system/holdPoint.js';
import type { CatchUpPlan } from './plan.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import { takesLeanTokenPass } from './catchUpOptions.js';
import type { CatchUpSummary } from './catchUpSummary.js';
import type { CarryingStore } from './carriedWrites.js';
import { writeCheckpoint } from '../../projections/fileCheckpoints.js';

// A catch-up's plan carried out (catchUp.ts): the gone forgotten, the planned files read and committed.

const PARALLEL_FROM_BYTES = 32 << 20;
/**
 * From how many bytes to read a catch-up reads on a reader thread: below, its start-up and its own
 * compiler warm-up cost more than it saves; above, it is faster (bench/index.ts).
 */
export const READER_THREAD_FROM_BYTES = 512 << 20;

/**
 * Index the plan's files: in worker threads when asked and worth it, else here (reading on a
 * reader thread when there is much to read and it is not turned off).
 */
export const indexPlanned = async (
  rows: CarryingStore,
  plan: CatchUpPlan,
  options: CatchUpOptions,
  summary: CatchUpSummary,
  readerFrom: number,
  started: TailReader | undefined,
): Promise<E.Either<EngineError, void>> => {
  const { store } = rows;
  const progress = (filesDone: number) =>
    options.onProgress?.({
      stage: 'reading',
      // The settled files are done before the first is read.
      filesDone: plan.settled + filesDone,
      filesTotal: plan.settled + plan.actions.length,
      bytesDone: summary.bytes,
      bytesTotal: plan.bytesToRead,
    });
  // A warm catch-up (every file unchanged, as indexFiles would count them) loads no folding code:
  // indexFiles and the projections it runs are loaded for a file to read or to record.
  if (options.signal?.aborted !== true && plan.actions.every((a) => a.action.kind === 'unchanged')) {
    summary.unchanged += plan.actions.length;
    progress(plan.actions.length);
    return E.right(undefined);
  }
  // Every file listed and probed, none read yet: where a test swaps one for a link (hostilePaths).
  await holdPoint('index.planned');
  const [{ indexFiles }, { indexFilesInWorkers }] = await Promise.all([
    import('../write/indexFiles.js'),
    import('../workers/workerPool.js'),
  ]);
  const reading = plan.actions.filter((a) => a.action.kind === 'index');
  if (takesLeanTokenPass(store, options))
    return (await import('../tokens/indexTokenFiles.js')).indexTokenFiles(
      store,
      plan.actions,
      options,
      summary,
      progress,
    );
  const workers = options.workers;
  if (
    workers === undefined ||
    workers.count < 2 ||
    reading.length < 2 ||
    plan.bytesToRead < (workers.fromBytes ?? PARALLEL_FROM_BYTES)
  ) {
    if (options.tailReader === undefined || plan.bytesToRead < readerFrom) {
      return indexFiles(store, plan.actions, options, summary, progress);
    }
    const reader = started ?? options.tailReader();
    summary.readerThread = true;
    try {
      return await indexFiles(store, plan.actions, options, summary, progress, reader);
    } finally {
      await reader.close();
    }
  }
  // Files that only record a checkpoint (or nothing) are done here; the others in the workers.
  return useCase(async () => {
    await take(
      indexFiles(
        store,
        plan.actions.filter((a) => a.action.kind !== 'index'),
        options,
        summary,
      ),
    );
    const offset = plan.actions.length - reading.length;
    // The workers commit in transactions of their own: what this store carries is committed first.
    await take(rows.flush());
    return take(
      indexFilesInWorkers(workers.indexPath, workers.count, reading, options, summary, (n) => progress(offset + n)),
    );
  })();
};

/**
 * Files that are gone lose their checkpoints; rollouts left without a file lose their rows. One
 * transaction. The token projection alone clears only its own rows and checkpoints (the file's
 * `files` checkpoint and other rows are the next full catch-up's to forget).
 */
export const forget = async (
  store: IndexStore,
  plan: CatchUpPlan,
  subset: ProjectionSubset,
  tokenCps: ReadonlyMap<string, FileCheckpoint>,
  strayTokens: ReadonlySet<string> = new Set(),
): Promise<E.Either<EngineError, void>> => {
  if (plan.gone.length === 0 && plan.orphaned.length === 0 && strayTokens.size === 0) return E.right(undefined);
  const [{ Batch }, { clearRollout }] = await Promise.all([
    import('../../projections/batch.js'),
    import('../../projections/runner.js'),
  ]);
  const r = await store.commit((reader) => {
    const b = new Batch(reader);
    for (const rid of strayTokens) clearRollout(b, rid, TOKEN_ROLLOUT_TABLES);
    for (const t of tokenCps.values())
      if (
        t.rolloutId !== null &&
        strayTokens.has(t.rolloutId) &&
        !plan.actions.some((a) => a.probe.file.path === t.path)
      )
        b.del('tokenFiles', [t.path]);
    for (const g of plan.gone) {
      for (const o of g.owned) clearRollout(b, o, subset.tables);
      if (subset.name === 'all') writeCheckpoint(b, 'files', g.path, undefined);
      if (tokenCps.has(g.path)) b.del('tokenFiles', [g.path]);
    }
    for (const rid of plan.orphaned) clearRollout(b, rid, subset.tables);
    return b.writes();
  })();
  return E.map(() => undefined)(r);
};
