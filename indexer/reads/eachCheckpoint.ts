import * as E from 'fp-ts/lib/Either.js';
import { ROWS_BETWEEN_UNMAPS } from '../../domain/ports.js';
import type { IndexStore } from '../../domain/ports.js';
import type { EngineError } from '../../domain/errors.js';
import type { FileCheckpoint, KeyOf } from '../../domain/index/rows.js';

/**
 * Checkpoints read between two unmaps (`remap`): the kernel maps the pages around each one read,
 * and a checkpoint table's pages lie among the response rows', so one scan of a large home's
 * mapped much of the index (a first token report's highest step; the home's stats recorded after
 * a whole-home catch-up, 194 MB of a 54,659-rollout index: measured in the commits that made this).
 */
const CHECKPOINTS_BETWEEN_UNMAPS = ROWS_BETWEEN_UNMAPS;

/** Checkpoints a read returns: few enough that they die young, as a scan's do (a young object costs no full collection). */
export const CHECKPOINTS_A_READ = 256;

/**
 * Each checkpoint of `table`, in key order, read in pieces with the pages they mapped unmapped
 * every `CHECKPOINTS_BETWEEN_UNMAPS`: a whole-table read that leaves the index no more resident
 * than it found it (not inside a write transaction, which a remap would close under).
 */
export const eachCheckpoint = async (
  store: IndexStore,
  table: 'tokenFiles' | 'files',
  each: (cp: FileCheckpoint) => void,
): Promise<E.Either<EngineError, void>> => {
  let after: KeyOf<'files'> | undefined;
  for (let read = 0; ;) {
    const rows = await store.range(table, [], {
      limit: CHECKPOINTS_A_READ,
      ...(after === undefined ? {} : { after }),
    })();
    if (E.isLeft(rows)) return rows;
    for (const r of rows.right) each(r.value);
    const last = rows.right.at(-1);
    read += rows.right.length;
    const ended = last === undefined || rows.right.length < CHECKPOINTS_A_READ;
    if (ended || read % CHECKPOINTS_BETWEEN_UNMAPS === 0) {
      const unmapped = store.remap?.();
      if (unmapped !== undefined && E.isLeft(unmapped)) return unmapped;
    }
    if (ended) return E.right(undefined);
    after = last.key;
  }
};
