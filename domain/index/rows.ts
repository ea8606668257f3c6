import type { CountedResponse } from '../tokens/responseFold.js';
import type { BucketKey, UsageBucketRow } from '../tokens/usageBuckets.js';
import type { PluginObservation } from '../plugins/rolloutObservations.js';
import type { ThreadStateRow } from '../threadState/threadStateEvent.js';
import type { ConversationText } from '../search/conversationText.js';
import type { SegmentRenderingChunk, SegmentRenderingHeader, TurnRendering } from './renderingRows.js';
import type { ThreadOrderKey, ThreadRow } from './threadRows.js';
import type { AuditStateRow, TokenStateRow } from './auditRows.js';
import type { FileCheckpoint } from './fileCheckpoint.js';
import type { ItemRow, TurnIdRow, TurnRow } from './turnRows.js';
import type { RolloutFoldRow, RolloutRow } from './rolloutRows.js';
import type { ToolItemRow } from '../analytics/toolItems.js';

// The index's tables and their rows; a file's checkpoint is fileCheckpoint.ts, its turns and items turnRows.ts, its
// own row and fold state rolloutRows.ts, a thread's row threadRows.ts, the stored renderings renderingRows.ts, the
// audits' fold state auditRows.ts (re-exported here).
export type { SegmentRenderingChunk, SegmentRenderingHeader, TurnRendering } from './renderingRows.js';
export type { StateDbFields, ThreadOrderKey, ThreadRow, ThreadSortMs } from './threadRows.js';
export { THREAD_ORDER_KEYS, sessionIndexNameOf } from './threadRows.js';
export type { AuditStateRow, TokenStateRow } from './auditRows.js';
export type { FileCheckpoint } from './fileCheckpoint.js';
export { holdsRows } from './fileCheckpoint.js';
export type { ItemRef, ItemRow, LinePos, TurnIdRow, TurnRow } from './turnRows.js';
export type { LaterMeta, RolloutFoldRow, RolloutRow } from './rolloutRows.js';

/** An id a rollout line gives as an index key holds it (`keyText`, domain/index/keyText.ts): kept, or its fixed-length long form. */
export type KeyText = string & { readonly KeyText: unique symbol };

/**
 * Rows of the history index, table by table. Every table except `files`, `threads` and `meta` is
 * keyed by rollout id first (thread id for a root file, fork id, revision id): like Codex's
 * `thread_history_1.sqlite`, each rollout file is projected on its own; a fork's rows are only its
 * own lines, and reads combine the base's rows below the cut.
 */

/** Where a `thread_settings_applied` line is (key: [rolloutId, line]): a fork or revision copies the settings below its cut. */
export interface SettingsLineRow {
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** One `token_count` with usage info (key: [rolloutId, line]), and the turn running when it was written. */
export interface TokenCountRow {
  readonly turnId: string | null;
  readonly info: unknown;
}

/** Every table with its key and value types. Keys are lmdb ordered-binary arrays. */
export interface IndexTables {
  meta: { key: readonly [string]; value: unknown };
  files: { key: readonly [string]; value: FileCheckpoint };
  /**
   * Each file of a thread, `[threadId, path]`, as its checkpoint names them: a thread's management
   * (archive, delete, a name) finds its files without reading every checkpoint of the home. Kept
   * with the checkpoints (projections/fileCheckpoints.ts); the value is unused.
   */
  threadFiles: { key: readonly [string, string]; value: 0 };
  threads: { key: readonly [string]; value: ThreadRow };
  /**
   * Each thread below another, `[parent, threadId]` (its `forkedFromId`, else its
   * `parentThreadId`): a thread's family is read from its links, not from every thread row. Kept
   * with the thread rows (projections/threadRows.ts); the value is unused.
   */
  threadChildren: { key: readonly [string, string]; value: 0 };
  /**
   * Every thread row once per list order, `[archived 0|1, order, sortMs[order], threadId]`: a
   * `thread/list` page walks its range from the cursor instead of sorting every thread. Kept with
   * the thread rows (projections/threadRows.ts); the value is unused.
   */
  threadOrder: { key: readonly [number, ThreadOrderKey, number, string]; value: 0 };
  rollouts: { key: readonly [string]; value: RolloutRow };
  /**
   * The rollouts that continue a file, `[base rolloutId, rolloutId]` (forks and revisions: their
   * row's `base`): catching up a file re-derives the rows of the threads read through it with a
   * few lookups, not a scan of every rollout row. Kept with the rollout rows; the value is unused.
   */
  rolloutForks: { key: readonly [KeyText, string]; value: 0 };
  fold: { key: readonly [string]; value: RolloutFoldRow };
  turns: { key: readonly [string, number]; value: TurnRow };
  turnIds: { key: readonly [string, KeyText]; value: TurnIdRow };
  items: { key: readonly [string, number]; value: ItemRow };
  /**
   * Paginated ordinal of a turn's key line or an item's line → that line (Codex cursors carry
   * ordinals), only where the line is not `startOrdinal + line` (RolloutFoldRow): sparse, empty
   * for a file as Codex writes it (read by `lineOfOrdinal`, replay/internal/lineage.ts).
   */
  ordinals: { key: readonly [string, number]; value: number };
  /** Responses a file paid for, by line (token audit: domain/tokens). */
  tokenAudit: { key: readonly [string, number]; value: CountedResponse };
  /** Plugin used / enabled / disabled facts of a file, by line; `seq` orders several on one line. */
  pluginEvents: { key: readonly [string, number, number]; value: PluginObservation };
  auditState: { key: readonly [string]; value: AuditStateRow };
  /**
   * A file's checkpoint for the token projection alone, while it is ahead of `files` (a `tokens`
   * report caught up that projection only: `catchUpHome` with `subset: 'tokens'`); gone once a
   * full catch-up passes it.
   */
  tokenFiles: { key: readonly [string]; value: FileCheckpoint };
  /** The token audit's fold state per file (the token projection: `projections/tokenAudit.ts`). */
  tokenState: { key: readonly [string]; value: TokenStateRow };
  /** Sums of the responses a file paid for, per 15-minute slot, model, provider and cwd (domain/tokens/usageBuckets.ts). */
  tokenBuckets: { key: BucketKey; value: UsageBucketRow };
  /** The responses of `tokenAudit` a report reads one by one (`isLoose`): copies another file may hold. */
  tokenLoose: { key: readonly [string, number]; value: CountedResponse };
  /** Response ids of the records a file paid for (a repeated one is found without reading its rows); the value is unused. */
  tokenRecordIds: { key: readonly [string, KeyText]; value: 0 };
  settingsLines: { key: readonly [string, number]; value: SettingsLineRow };
  tokenCounts: { key: readonly [string, number]; value: TokenCountRow };
  /**
   * The rollout's quarantined lines (its row's `invalidLines`), only for rollouts that have any: a
   * home's total is a scan of this small table, not of every rollout row.
   */
  quarantineCounts: { key: readonly [string]; value: number };
  /** Per thread: the fold of the engine's thread-state log (read receipts, stored git metadata; domain/threadState). */
  threadState: { key: readonly [string]; value: ThreadStateRow };
  /** The conversation text of a line `thread/search` looks in (domain/search/conversationText.ts), by line. */
  searchText: { key: readonly [string, number]; value: ConversationText };
  /** The rollout's search signature (domain/search/gramSignature.ts): its trigrams' bits. */
  searchGrams: { key: readonly [string]; value: Uint8Array };
  /** The signatures of the rollout's searched lines, a block of its lines a row (domain/search/lineSignatures.ts). */
  searchLines: { key: readonly [string, number]; value: Uint8Array };
  /** The tool items (command, patch, MCP call, …) a file's `item_completed` lines hold, by line (domain/analytics/toolItems.ts). */
  toolItems: { key: readonly [string, number]; value: ToolItemRow };
  /** Turns' items rendered by a whole read, by turn id (not the fold's: made by reads, checked against `itemsThrough`). */
  turnRenderings: { key: readonly [string, KeyText]; value: TurnRendering };
  /** A whole current file's turns rendered by a whole read: header at 0, chunks from 1 (not the fold's: checked against the file's checkpoint). */
  segmentRenderings: { key: readonly [string, number]; value: SegmentRenderingHeader | SegmentRenderingChunk };
}
export type TableName = keyof IndexTables;
export type KeyOf<T extends TableName> = IndexTables[T]['key'];
export type RowOf<T extends TableName> = IndexTables[T]['value'];
export type KeyPart = string | number;

/** One index write; a batch of them and a checkpoint are committed as one transaction. */
export type IndexWrite =
  | { readonly op: 'put'; readonly table: TableName; readonly key: ReadonlyArray<KeyPart>; readonly value: unknown }
  | { readonly op: 'del'; readonly table: TableName; readonly key: ReadonlyArray<KeyPart> };

/** Synchronous read view used while a batch is built (inside the store's write transaction). */
export interface IndexReader {
  readonly get: <T extends TableName>(table: T, key: KeyOf<T>) => RowOf<T> | undefined;
  /** Keys with the given prefix, in key order. */
  readonly keys: (table: TableName, prefix: ReadonlyArray<KeyPart>) => ReadonlyArray<ReadonlyArray<KeyPart>>;
  /** The rows of `table`, counted without reading them (a reader that cannot has none). */
  readonly count?: (table: TableName) => number;
}

export const TABLES: ReadonlyArray<TableName> = [
  'meta',
  'files',
  'threadFiles',
  'threads',
  'threadChildren',
  'threadOrder',
  'rollouts',
  'rolloutForks',
  'fold',
  'turns',
  'turnIds',
  'items',
  'ordinals',
  'tokenAudit',
  'pluginEvents',
  'auditState',
  'tokenFiles',
  'tokenState',
  'tokenBuckets',
  'tokenLoose',
  'tokenRecordIds',
  'settingsLines',
  'tokenCounts',
  'quarantineCounts',
  'threadState',
  'searchText',
  'searchGrams',
  'searchLines',
  'toolItems',
  'turnRenderings',
  'segmentRenderings',
];
/**
 * Tables whose keys start with a rollout id (cleared when a rollout is re-indexed): all but the
 * home-wide ones, and `rolloutForks`, whose keys start with the base's id (a fork's entry goes
 * with the fork: `clearRollout`).
 */
export const ROLLOUT_TABLES: ReadonlyArray<TableName> = TABLES.filter(
  (t) =>
    t !== 'meta' &&
    t !== 'files' &&
    t !== 'threadFiles' &&
    t !== 'tokenFiles' &&
    t !== 'threads' &&
    t !== 'threadChildren' &&
    t !== 'threadOrder' &&
    t !== 'threadState' &&
    t !== 'rolloutForks',
);
/** The rollout tables the token projection writes (cleared alone when only that projection re-indexes a file). */
export const TOKEN_ROLLOUT_TABLES: ReadonlyArray<TableName> = [
  'tokenAudit',
  'tokenState',
  'tokenBuckets',
  'tokenLoose',
  'tokenRecordIds',
];
/** The rollout tables a fold of the file writes (what `verify` compares with a fresh fold): all but the reads' renderings. */
export const FOLDED_ROLLOUT_TABLES: ReadonlyArray<TableName> = ROLLOUT_TABLES.filter(
  (t) => t !== 'turnRenderings' && t !== 'segmentRenderings',
);

/**
 * A transaction's writes table by table, each table's in the order given (a key's put and remove
 * keep their order). LMDB gives a transaction's new pages in the order it writes them, so a table
 * written together lies together in the file: a read of a small table then maps in its own pages,
 * not the neighbours the kernel maps in with each page (fault-around) among another table's.
 */
export const inTableOrder = (writes: ReadonlyArray<IndexWrite>): IndexWrite[] => {
  const byTable = new Map<TableName, IndexWrite[]>();
  for (const w of writes) {
    const list = byTable.get(w.table);
    if (list === undefined) byTable.set(w.table, [w]);
    else list.push(w);
  }
  return [...byTable.values()].flat();
};
