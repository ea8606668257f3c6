import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import type { CatchUpSummary } from './catchUpSummary.js';

/**
 * `catchUpHome` (catchUp.ts), its code loaded by the first call: a warm read, whose files are all
 * unchanged, never loads the projections, the runner and the tail readers (a CLI run pays for
 * every module it loads: a file read and a compile each). What opens a home and keeps it fresh
 * catches up through this; what catches up every time (`index`, `repair`) imports `catchUpHome`.
 */
export const lazyCatchUpHome =
  (store: IndexStore, home: string, options: CatchUpOptions = {}): TE.TaskEither<EngineError, CatchUpSummary> =>
  async () =>
    (await import('./catchUp.js')).catchUpHome(store, home, options)();
