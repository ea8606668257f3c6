import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import { THREAD_ROWS_DUE_FROM, threadRowsDueMarks } from '../../projections/threadRowsDue.js';
import type { DueMark } from '../../projections/threadRowsDue.js';
import type { ProcessMark } from '../../adapters/driven/system/processIdentity.js';
import { whereabouts } from '../../adapters/driven/system/processIdentity.js';

/** A due mark's owner is gone: no owner (a migration's mark), or a process that no longer runs. */
export const ownerGone = (owner: unknown): boolean =>
  owner === null || typeof owner !== 'object' || whereabouts(owner as ProcessMark) === 'gone';

/** The due marks in the index, read from where they start (not over the whole `meta` table). */
export const readDueMarks = (store: IndexStore): Promise<E.Either<EngineError, DueMark[]>> =>
  useCase(async () => threadRowsDueMarks(await take(store.range('meta', [], { from: THREAD_ROWS_DUE_FROM }))))();

/**
 * Whether a catch-up was interrupted before its thread rows (projections/threadRowsDue.ts): then
 * even a thread whose files are all indexed needs a catch-up (of no files), which redoes them.
 * Kept apart from catchUp.ts so a warm read does not load it.
 */
export const threadRowsInterrupted = (store: IndexStore): Promise<E.Either<EngineError, boolean>> =>
  useCase(async () => (await take(readDueMarks(store))).some((m) => ownerGone(m.owner)))();
