import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { RolloutRow } from '../../domain/index/rows.js';

/**
 * Lines of rollout files that no read can show (quarantined: not JSON, not a rollout line, a
 * payload that fails its codec, invalid UTF-8, empty), as the index counts them: each rollout
 * file's row keeps its own count (`invalidLines`), so the totals are the home's, whichever run
 * found them. A torn last line (an append in flight) is not counted: it is not indexed yet.
 */
export interface QuarantinedCount {
  readonly lines: number;
  readonly files: number;
}

/** The counts of some rollout rows. */
export const quarantinedOf = (rows: Iterable<Pick<RolloutRow, 'invalidLines'>>): QuarantinedCount => {
  let lines = 0;
  let files = 0;
  for (const r of rows) {
    if (r.invalidLines === 0) continue;
    lines += r.invalidLines;
    files += 1;
  }
  return { lines, files };
};

/** The lines with a repeated ordinal of some rollout rows (shown, reported beside the quarantined ones), and the files that have any. */
export const repeatedOrdinalsOf = (rows: Iterable<Pick<RolloutRow, 'repeatedOrdinals'>>): QuarantinedCount =>
  quarantinedOf([...rows].map((r) => ({ invalidLines: r.repeatedOrdinals })));

/** The counts of every rollout the index holds, from the sparse `quarantineCounts` table (a row per rollout that has any). */
export const quarantinedInIndex = (store: IndexStore): TE.TaskEither<EngineError, QuarantinedCount> =>
  pipe(
    store.range('quarantineCounts', []),
    TE.map((rows) => quarantinedOf(rows.map((r) => ({ invalidLines: r.value })))),
  );

/** "1 quarantined line in 1 file", "3 quarantined lines in 2 files". */
export const renderQuarantined = (q: QuarantinedCount): string =>
  `${q.lines} quarantined line${q.lines === 1 ? '' : 's'} in ${q.files} file${q.files === 1 ? '' : 's'}`;
