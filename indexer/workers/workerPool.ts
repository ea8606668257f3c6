import { Worker } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { ioError } from '../../domain/errors.js';
import type { QuarantineRecord } from '../../domain/rollout/rawLine.js';
import type { PlannedFile } from '../write/indexFiles.js';
import type { CatchUpOptions } from '../catchUp/catchUpOptions.js';
import type { CatchUpSummary } from '../catchUp/catchUpSummary.js';
import { addCounts } from '../catchUp/catchUpSummary.js';

/**
 * Parallel catch-up: the files to read are split into byte-balanced shares, one per worker
 * thread (indexWorker.ts). Each worker opens the same LMDB environment and commits its own
 * transactions (LMDB serialises writers; the checkpoint checks keep them from overlapping), so
 * decoding, folding and writing all run in parallel. Quarantine records and progress come back
 * here, to the caller's sink and progress bar.
 */

export interface WorkerTask {
  readonly indexPath: string;
  readonly actions: ReadonlyArray<PlannedFile>;
  readonly batchLines: number | undefined;
  readonly batchBytes: number | undefined;
  readonly quarantine: boolean;
}

export type WorkerReport =
  | { readonly kind: 'progress'; readonly files: number; readonly bytes: number }
  | { readonly kind: 'quarantine'; readonly record: QuarantineRecord }
  | { readonly kind: 'done'; readonly summary: CatchUpSummary }
  | { readonly kind: 'failed'; readonly error: EngineError };

const WORKER = new URL('./indexWorker.js', import.meta.url);

/** Split `items` into at most `n` shares of about equal cost (largest first, to the lightest share); no share is empty. */
export const balancedShares = <T>(items: ReadonlyArray<T>, n: number, cost: (item: T) => number): T[][] => {
  const shares = Array.from({ length: n }, () => ({ cost: 0, items: [] as T[] }));
  for (const item of [...items].sort((x, y) => cost(y) - cost(x))) {
    const lightest = shares.reduce((m, s) => (s.cost < m.cost ? s : m));
    lightest.items.push(item);
    lightest.cost += cost(item);
  }
  return shares.map((s) => s.items).filter((s) => s.length > 0);
};

/** Split files into `n` shares of about equal bytes to read (`balancedShares`). */
export const shareOut = (actions: ReadonlyArray<PlannedFile>, n: number): PlannedFile[][] => {
  const cost = (a: PlannedFile) => (a.action.kind === 'index' ? a.probe.size - (a.action.from?.byteOffset ?? 0) : 0);
  // Within a share, keep the plan's order (active before archived, then by path).
  const order = new Map(actions.map((a, i) => [a, i]));
  return balancedShares(actions, n, cost).map((s) => s.sort((x, y) => order.get(x)! - order.get(y)!));
};

/** Index `actions` in `count` worker threads; counts are added to `summary`. */
export const indexFilesInWorkers = async (
  indexPath: string,
  count: number,
  actions: ReadonlyArray<PlannedFile>,
  options: CatchUpOptions,
  summary: CatchUpSummary,
  progress: (filesDone: number) => void,
): Promise<E.Either<EngineError, void>> => {
  const shares = shareOut(actions, count);
  let filesDone = 0;
  let failure: EngineError | undefined;
  // Quarantine records are written in arrival order, one at a time.
  let sinkChain: Promise<void> = Promise.resolve();
  const runShare = (share: PlannedFile[]) =>
    new Promise<void>((resolve) => {
      const task: WorkerTask = {
        indexPath,
        actions: share,
        batchLines: options.batchLines,
        batchBytes: options.batchBytes,
        quarantine: options.quarantine !== undefined,
      };
      const worker = new Worker(WORKER, { workerData: task });
      let finished = false;
      worker.on('message', (m: WorkerReport) => {
        switch (m.kind) {
          case 'progress':
            filesDone += m.files;
            summary.bytes += m.bytes;
            progress(filesDone);
            return;
          case 'quarantine':
            sinkChain = sinkChain.then(async () => {
              const q = await options.quarantine!.record(m.record)();
              if (E.isLeft(q)) failure ??= q.left;
            });
            return;
          case 'done': {
            finished = true;
            // Bytes were counted with progress; add the rest of the counts.
            const { bytes: _b, ...rest } = m.summary;
            addCounts(summary, { ...rest, bytes: 0 } as CatchUpSummary);
            return;
          }
          case 'failed':
            finished = true;
            failure ??= m.error;
            return;
        }
      });
      worker.on('error', (err) => {
        failure ??= ioError(indexPath, 'index worker', 'WORKER', err instanceof Error ? err.message : String(err));
      });
      worker.on('exit', (code) => {
        if (!finished)
          failure ??= ioError(indexPath, 'index worker', 'WORKER', `exited with code ${code} before finishing`);
        resolve();
      });
    });
  await Promise.all(shares.map(runShare));
  await sinkChain;
  summary.workers = shares.length;
  return failure ? E.left(failure) : E.right(undefined);
};
