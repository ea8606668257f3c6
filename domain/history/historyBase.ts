import type { SessionMetaPayload } from '../rollout/kinds/sessionMeta.js';
import type { HistoryHop } from './walk.js';
import type { RolloutRow } from '../index/rows.js';

/** The hop from a rollout row of the index to the base it continues (its `history_base`), if any. */
export const hopOfRow = (r: RolloutRow): HistoryHop | null => r.base;

/** The hop from a file to the base it continues, if it is a paginated fork or revision. */
export const hopOfMeta = (meta: SessionMetaPayload): HistoryHop | null => {
  const hb = meta.history_base;
  return hb
    ? { rolloutId: hb.thread_id, endOrdinalExclusive: hb.end_ordinal_exclusive, endByteOffset: hb.end_byte_offset }
    : null;
};

/** Rollout id a file answers to: its revision id if it is a revision, else its thread id. */
export const rolloutIdOf = (f: { threadId: string; revisionId?: string | undefined }): string =>
  f.revisionId ?? f.threadId;

/**
 * The file that currently holds a thread: its newest revision (by revert time in the name, then
 * by the time-ordered revision id), else its root file. Active files win over archived ones.
 */
export const currentFileOf = <
  F extends {
    threadId: string;
    revisionId?: string | undefined;
    fileTimestamp: string;
    archived: boolean;
    path: string;
  },
>(
  files: ReadonlyArray<F>,
): F | undefined => {
  const rank = (f: F): string =>
    `${f.archived ? 0 : 1}|${f.revisionId === undefined ? 0 : 1}|${f.fileTimestamp}|${f.revisionId ?? ''}|${f.path}`;
  let best: F | undefined;
  for (const f of files) if (best === undefined || rank(f) > rank(best)) best = f;
  return best;
};
