import type { CodexRowTimesOf } from '../domain/thread/codexRowTimes.js';

/**
 * What a home says of its threads beside their rollouts, and so part of every thread row: Codex's
 * names (`session_index.jsonl`) and the model provider its `config.toml` selects.
 */
export interface ThreadRowHome {
  readonly names: ReadonlyMap<string, string>;
  readonly defaultModelProvider: string;
  /**
   * Codex's state-DB rows by thread id (`codexRowTimesOf`); a thread without one absent. A home
   * without a DB: the rows Codex's first start will backfill (domain/thread/backfillTimes.ts).
   */
  readonly codexRows: ReadonlyMap<string, CodexRowTimesOf>;
  /**
   * The names Codex's state DB holds in its rows' `name` column (a thread with no row, or no name,
   * absent): a paginated thread's name, which Codex 0.169 answers from there alone (a DB its
   * backfill built holds none: measured, paginatedNames.compat). Null for a home without a DB:
   * Codex creates one as it starts, and a rename after writes its name there as it does
   * session_index.jsonl's (threadManagement.compat), so until a DB exists the names are those.
   */
  readonly stateDbNames: ReadonlyMap<string, string> | null;
  /**
   * The signature of Codex's state DB's files its rows were read at (adapters/driven/fs/codexStateDb.ts
   * `stateDbSignature`): while they keep it, those rows hold. Absent without a DB, or where its read failed.
   */
  readonly stateDbSignature?: string;
}

/** A thread's names: session_index.jsonl's (a legacy thread's name) and its state-DB row's (a paginated one's). */
export interface ThreadNames {
  readonly sessionIndex: string | null;
  /** Undefined for a home without a state DB (`ThreadRowHome.stateDbNames`). */
  readonly stateDb: string | null | undefined;
}

/** A thread's names as the home gives them. */
export const threadNamesOf = (home: ThreadRowHome, threadId: string): ThreadNames => ({
  sessionIndex: home.names.get(threadId) ?? null,
  stateDb: home.stateDbNames === null ? undefined : (home.stateDbNames.get(threadId) ?? null),
});

/** The name a thread row takes: a paginated thread's state-DB row's where the home has a DB, else session_index.jsonl's. */
export const rowNameOf = (historyMode: string, names: ThreadNames): string | null =>
  historyMode === 'paginated' && names.stateDb !== undefined ? names.stateDb : names.sessionIndex;

/**
 * The threads whose name differs between two readings of one source of names (session_index.jsonl's,
 * or the state DB's): a name gained, lost or changed.
 */
export const namesChanged = (before: ReadonlyMap<string, string>, now: ReadonlyMap<string, string>): Set<string> => {
  const changed = new Set<string>();
  for (const [id, name] of now) if (before.get(id) !== name) changed.add(id);
  for (const id of before.keys()) if (!now.has(id)) changed.add(id);
  return changed;
};

/**
 * The threads whose row name can differ between rows derived with the names of `before` and the
 * names of `now` (`rowNameOf`): those whose session_index.jsonl name or state-DB name changed. A DB
 * made or gone since moves every named thread: a paginated thread's name moves between
 * session_index.jsonl and its row.
 */
export const threadsRenamed = (
  before: Pick<ThreadRowHome, 'names' | 'stateDbNames'>,
  now: Pick<ThreadRowHome, 'names' | 'stateDbNames'>,
): Set<string> => {
  const out = namesChanged(before.names, now.names);
  if (before.stateDbNames !== null && now.stateDbNames !== null)
    for (const id of namesChanged(before.stateDbNames, now.stateDbNames)) out.add(id);
  else if (before.stateDbNames !== now.stateDbNames)
    for (const side of [before, now]) {
      for (const id of side.names.keys()) out.add(id);
      for (const id of side.stateDbNames?.keys() ?? []) out.add(id);
    }
  return out;
};
