import type { IndexWrite } from '../domain/index/rows.js';

/**
 * Thread rows are derived from the rollout rows after those are committed (`threadRows.ts`), in a
 * transaction of their own: a process killed between the two leaves thread rows behind their
 * files, and the next catch-up finds no new bytes to redo them for. So a catch-up that will change
 * rows first commits a meta key of its own (`threadRowsDue:<id>`, naming its process), and removes
 * it once its thread rows are written. A key whose process is gone is an interrupted catch-up's:
 * the next catch-up re-derives every thread row and removes it. (Keys of live processes are their
 * own business: two catch-ups at once do not redo each other's threads.)
 */
const PREFIX = 'threadRowsDue:';

export const threadRowsDueKey = (id: string): readonly [string] => [`${PREFIX}${id}`];

/**
 * Where the due marks start in `meta`: a read of them ranges from here (the `meta` keys after the
 * marks are few and small), not over the whole table, which holds the home's stats
 * (domain/index/homeStats.ts), one value of a few hundred KB.
 */
export const THREAD_ROWS_DUE_FROM: readonly [string] = [PREFIX];

/** A due mark's key, with the owner it names. */
export interface DueMark {
  readonly key: readonly [string];
  readonly owner: unknown;
}

/** The due marks among the `meta` rows. */
export const threadRowsDueMarks = (
  meta: ReadonlyArray<{ readonly key: ReadonlyArray<unknown>; readonly value: unknown }>,
): DueMark[] =>
  meta.flatMap(({ key, value }) =>
    typeof key[0] === 'string' && key[0].startsWith(PREFIX) ? [{ key: [key[0]] as const, owner: value }] : [],
  );

export const markThreadRowsDue = (id: string, owner: unknown): IndexWrite => ({
  op: 'put',
  table: 'meta',
  key: [...threadRowsDueKey(id)],
  value: owner,
});
export const clearThreadRowsDue = (key: readonly [string]): IndexWrite => ({ op: 'del', table: 'meta', key: [...key] });
