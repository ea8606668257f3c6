import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import { threadRowsDueMarks } from '../projections/threadRowsDue.js';
import type { ProcessMark } from '../adapters/system/processIdentity.js';
import { whereabouts } from '../adapters/system/processIdentity.js';

/** A due mark's owner is gone: no owner (a migration's mark), or a process that no longer runs. */
export const ownerGone = (owner: unknown): boolean => owner === null || typeof owner !== 'object' || whereabouts(owner as ProcessMark) === 'gone';

/**
 * Whether thread rows may be behind their files (projections/threadRowsDue.ts): `interrupted` (a
 * catch-up's process died before its thread rows: even a thread whose files are all indexed then
 * needs a catch-up, of no files, which redoes them),
 * `inProgress` (a live catch-up, of this process or another, has committed its rows and not yet
 * its thread rows: a file then looks indexed while its thread's row is still the old one), or `none`.
 * Kept apart from catchUp.ts so a warm read does not load it.
 */
export const threadRowsBehind = async (store: IndexStore): Promise<E.Either<EngineError, 'none' | 'interrupted' | 'inProgress'>> => {
  const meta = await store.range('meta', [])();
  if (E.isLeft(meta)) return meta;
  const marks = threadRowsDueMarks(meta.right);
  return E.right(marks.some((m) => ownerGone(m.owner)) ? 'interrupted' : marks.length > 0 ? 'inProgress' : 'none');
};
