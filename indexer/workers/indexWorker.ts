/**
 * A worker thread of a parallel catch-up (see workerPool.ts): opens the LMDB environment, indexes
 * its share of the plan with the same code the main thread uses (so its transactions carry the
 * same optimistic checkpoint checks), and reports progress, quarantine records and its counts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as E from 'fp-ts/lib/Either.js';
import type { QuarantineSink } from '../../adapters/driven/jsonl/writers/quarantine.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { indexFiles } from '../write/indexFiles.js';
import type { PlannedFile } from '../write/indexFiles.js';
import { emptySummary } from '../catchUp/catchUpSummary.js';
import type { WorkerReport, WorkerTask } from './workerPool.js';

const task = workerData as WorkerTask;
const post = (m: WorkerReport): void => parentPort!.postMessage(m);

const run = async (): Promise<void> => {
  const opened = await openLmdbIndex(task.indexPath)();
  if (E.isLeft(opened)) return post({ kind: 'failed', error: opened.left });
  const store = opened.right;
  const summary = emptySummary();
  const sink: QuarantineSink | undefined = task.quarantine
    ? {
        record: (record) => async () => {
          post({ kind: 'quarantine', record });
          return E.right(undefined);
        },
      }
    : undefined;
  let reported = { files: 0, bytes: 0 };
  const r = await indexFiles(
    store,
    task.actions as PlannedFile[],
    { batchLines: task.batchLines, batchBytes: task.batchBytes, quarantine: sink },
    summary,
    (files) => {
      post({ kind: 'progress', files: files - reported.files, bytes: summary.bytes - reported.bytes });
      reported = { files, bytes: summary.bytes };
    },
  );
  await store.close()();
  post(E.isLeft(r) ? { kind: 'failed', error: r.left } : { kind: 'done', summary });
};

await run();
