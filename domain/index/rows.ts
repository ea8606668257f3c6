import type { FoldCursor, TurnState } from '../thread/turnFoldState.js';
import type { ThreadItem } from '../thread/threadItem.js';
import type { AgentMessagePhase } from '../thread/finalAgentMessage.js';
import type { HistoryMode } from '../rollout/historyMode.js';
import type { RolloutFile } from '../rollout/rolloutFile.js';
import type { SettingsChange } from '../thread/threadMeta.js';
import type { CountedResponse } from '../tokens/responseFold.js';
import type { BucketKey, UsageBucketRow } from '../tokens/usageBuckets.js';
import type { PluginObservation } from '../plugins/rolloutObservations.js';
import type { ThreadStateRow } from '../threadState/threadStateEvent.js';
import type { ConversationText } from '../search/conversationText.js';
import type { SegmentRenderingChunk, SegmentRenderingHeader, TurnRendering } from './renderingRows.js';
import type { ThreadOrderKey, ThreadRow } from './threadRows.js';
import type { AuditStateRow, TokenStateRow } from './auditRows.js';
import type { ToolItemRow } from '../analytics/toolItems.js';

// The index's tables and their rows; a thread's row is threadRows.ts, the stored renderings renderingRows.ts, the
// audits' fold state auditRows.ts (re-exported here).
export type { SegmentRenderingChunk, SegmentRenderingHeader, TurnRendering } from './renderingRows.js';
export type { StateDbFields, ThreadOrderKey, ThreadRow, ThreadSortMs } from './threadRows.js';
export { THREAD_ORDER_KEYS } from './threadRows.js';
export type { AuditStateRow, TokenStateRow } from './auditRows.js';

/** An id a rollout line gives as an index key holds it (`keyText`, domain/index/keyText.ts): kept, or its fixed-length long form. */
export type KeyText = string & { readonly KeyText: unique symbol };

/**
 * Rows of the history index, table by table. Every table except `files`, `threads` and `meta` is
 * keyed by rollout id first (thread id for a root file, fork id, revision id): like Codex's
 * `thread_history_1.sqlite`, each rollout file is projected on its own; a fork's rows are only its
 * own lines, and reads combine the base's rows below the cut.
 * Over 400 lines on purpose: every table's row shape, `IndexTables` and the table lists, declared as one.
 */

/** Where a line is, inside its own rollout file. `line` is the 0-based line index in the file. */
export interface LinePos {
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Paginated `ordinal` (Codex's cursor `rolloutOrdinal`), null in legacy mode. */
  readonly ordinal: number | null;
}

/**
 * Checkpoint of one rollout file (key: path). Advanced in the same transaction as its rows. A
 * `RolloutFile` as stored: every listed file has one, so its ids may be unknown, and an absent
 * revision is stored as null.
 */
export interface FileCheckpoint extends Pick<RolloutFile, 'path' | 'archived' | 'fileTimestamp'> {
  /** Null when the first line could not be read as a session_meta (see `error`). */
  readonly rolloutId: string | null;
  readonly threadId: string | null;
  /** From the file name, for a revision file. */
  readonly revisionId: string | null;
  /** Byte offset just past the last indexed complete line. */
  readonly byteOffset: number;
  /** Number of lines indexed (next line index). */
  readonly line: number;
  /** File size seen by the run that wrote this checkpoint. */
  readonly size: number;
  /** sha256 (hex) of the first `headLen` bytes (`headLen` = min(4 KiB, size)). */
  readonly headHash: string;
  readonly headLen: number;
  /**
   * sha256 (hex) of the `tailLen` bytes just before `byteOffset` (at most 4 KiB): a file that grew
   * is only caught up from the checkpoint if the bytes it ends on are still there.
   */
  readonly tailHash: string;
  readonly tailLen: number;
  /** mtime / ctime (ms) seen with `size`: a same-size rewrite past the head changes them. */
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** Pre-envelope format the file is upcast from (early Codex), null for a modern rollout. */
  readonly upcastFrom: 'envelopeLess' | 'recordTyped' | null;
  /** Set when another file claiming the same rollout id won: this file has no rows. */
  readonly duplicateOf: string | null;
  readonly error: string | null;
}

/** Does the file hold rows (its rollout id's winner, readable)? Thread rows are derived from these files only. */
export const holdsRows = (
  cp: FileCheckpoint,
): cp is FileCheckpoint & { readonly rolloutId: string; readonly threadId: string } =>
  cp.rolloutId !== null && cp.threadId !== null && cp.duplicateOf === null && cp.error === null;

export interface ItemRef {
  readonly id: string;
  /** Key line of the item row. */
  readonly line: number;
  /**
   * The item as the API shows it, kept when its line is short (SHOWN_LINE_BYTES) so a `summary`
   * page reads no file; null: read it from its item row's ranges.
   */
  readonly shown: ThreadItem | null;
  /** An agent message's phase when marked (the final one is chosen by it: finalAgentMessage.ts). */
  readonly phase?: AgentMessagePhase;
}

/**
 * One turn of a rollout file (key: [rolloutId, key line]: the anchor line, else the first item's):
 * the turn fold's state (`turnFoldState.ts`; its anchor is Codex's cursor anchor) and what the index
 * keeps beside it to serve pages without reading the file.
 */
export interface TurnRow extends Readonly<TurnState<LinePos>> {
  /**
   * Exclusive end of the turn's bytes: just past (newline included) the first line that ended it,
   * i.e. where the next line starts, normally the next turn's task_started. Codex's
   * `thread_turns.rollout_end_byte_offset`; null while the turn has not ended.
   */
  readonly endByteOffset: number | null;
  readonly firstItem: LinePos | null;
  readonly firstUserItem: ItemRef | null;
  readonly finalAgentItem: ItemRef | null;
  readonly lastItemLine: number | null;
  readonly itemCount: number;
  readonly compactionCount: number;
  /**
   * Exclusive end of the last line that made or changed one of the turn's items (the largest end
   * of their byte ranges; null without items). The file only grows, so it moves with every change
   * to what the items show: a stored rendering (`turnRenderings`) made at it is current while it stays.
   */
  readonly itemsThrough: number | null;
}

/** One ThreadItem of a rollout file (key: [rolloutId, line of the line that created it]). */
export interface ItemRow {
  readonly turnId: string;
  readonly id: string;
  /** API ThreadItem `type` (userMessage, agentMessage, reasoning, commandExecution, …). */
  readonly kind: string;
  readonly ordinal: number | null;
  /** Byte ranges [offset, length] of the lines holding the item's content (legacy reasoning spans several). */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly startedAtMs: number | null;
  readonly completedAtMs: number | null;
  /** An agent message's phase when marked (a cut turn's summary picks its final message by it). */
  readonly phase?: AgentMessagePhase;
  /** A tool item whose status a read shows `failed` (a collapsed turn's badge says so without reading the item). */
  readonly failed?: true;
}

/**
 * A turn by id (key: [rolloutId, turnId]): its key line in `turns`, and its items by id with
 * their key lines in `items`, in the order they were created (one row per turn, not one per item).
 */
export interface TurnIdRow {
  readonly line: number;
  readonly itemIds: ReadonlyArray<string>;
  readonly itemLines: ReadonlyArray<number>;
  /**
   * A paginated turn with items that no `task_started`, `task_complete` or `turn_aborted` has named
   * yet: listed nowhere, so no `turns` row, its fold state kept here until such a line lists it
   * (`line` is then its first item's). domain/thread/turnFoldState.ts `listedTurnPos`.
   */
  readonly pending?: TurnRow;
}

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

/**
 * What a later `session_meta` of a thread sets in Codex's state DB (codex-rs
 * `state/src/extract.rs` `apply_session_meta_from_item`): its source and thread source always, its
 * provider when it names one, its cli version and cwd when not empty, its git facts when it has them.
 */
export interface LaterMeta {
  readonly byteOffset: number;
  readonly source: unknown;
  /** Its `thread_source`, null without one (measured on 0.169.0: a later meta without one answers null). */
  readonly threadSource?: string | null;
  readonly modelProvider?: string;
  readonly cliVersion?: string;
  /** Its originator when not empty: the row takes the first one there is. */
  readonly originator?: string;
  readonly cwd?: string;
  readonly git?: Readonly<Record<string, unknown>>;
}

/** Per rollout file: session meta and what the thread object needs from the file's own lines. */
export interface RolloutRow {
  readonly rolloutId: string;
  readonly threadId: string;
  readonly path: string;
  readonly mode: HistoryMode;
  /** session_meta payload without the (large) instructions. */
  readonly meta: Record<string, unknown> | null;
  readonly base: {
    readonly rolloutId: string;
    readonly endOrdinalExclusive: number;
    readonly endByteOffset: number;
  } | null;
  readonly preview: string | null;
  /** Byte offset of the line the preview came from (a fork's base preview counts only below the cut). */
  readonly previewByteOffset: number | null;
  readonly model: string | null;
  readonly reasoningEffort: string | null;
  /** The file's model / effort settings lines (consecutive repeats left out), so a cut base gives the settings below its cut. */
  readonly settings: ReadonlyArray<SettingsChange & { readonly byteOffset: number }>;
  /**
   * The file's later `session_meta` lines of its own thread that Codex decodes (absent: none):
   * Codex's state DB takes each over the first (`LaterMeta`).
   */
  readonly laterMetas?: ReadonlyArray<LaterMeta>;
  /**
   * Set while Codex's serde refuses the file's first session_meta (`meta` is then that meta, or
   * null where our codec refuses it too): Codex refuses every read of the thread (-32603, by its
   * head) and its file scan lists it nowhere, but its state DB's backfill keeps a row for the file
   * (codex-rs rollout/src/metadata.rs `builder_from_items`). `headClosed`: a response item Codex
   * decodes came first, or the meta's `history_mode` is one Codex refuses by itself (else a later
   * meta it reads is the thread's `meta`, and this goes);
   * `historyModeRefused`: Codex loads nothing of the file (no state-DB row either);
   * `stateDbMeta`: the first later meta it reads after one, which that row is built from.
   */
  readonly refusedMeta?: {
    readonly headClosed: boolean;
    readonly historyModeRefused?: true;
    readonly stateDbMeta?: Record<string, unknown>;
  };
  readonly firstLineTimestamp: string | null;
  readonly lastLineTimestamp: string | null;
  readonly lines: number;
  readonly invalidLines: number;
  /** The highest paginated ordinal a line of the file carried so far (null: none yet, or legacy). */
  readonly maxOrdinal: number | null;
  /**
   * Lines whose ordinal is not above every ordinal before it: repeated (a Codex and another writer
   * numbering lines from their own counters, or Codex alone) or out of order. They are shown like
   * any line (walks go by line), and reported beside the quarantined lines.
   */
  readonly repeatedOrdinals: number;
  /** The last turn started in this file (the turn a thread-level token notification names). */
  readonly lastTurnId: string | null;
  /** Timestamp of the last task_started line (Codex's recency). */
  readonly lastTurnStartTimestamp: string | null;
}

/** Fold state of a rollout that is not visible in its rows: the turn rules' cursor (legacy turn/item numbering) and rollback. */
export interface RolloutFoldRow extends Readonly<FoldCursor> {
  readonly dropped: ReadonlyArray<string>;
  /**
   * Paginated: the ordinal of the file's first line (its base's cut, 0 for a root file). Codex
   * numbers every line, so a line's ordinal is normally `startOrdinal + line`; only rows whose
   * ordinal is not have an `ordinals` row.
   */
  readonly startOrdinal: number;
  /**
   * Paginated: `session_meta.subagent_history_start_ordinal`, where present. Lines numbered below
   * it are a sub-agent's inherited context and make no turn or item (protocol.rs SessionMeta;
   * measured on 0.169.0, docs/codex-source/thread-items.md).
   */
  readonly projectionStartOrdinal?: number;
}

/** Every table with its key and value types. Keys are lmdb ordered-binary arrays. */
export interface IndexTables {
  meta: { key: readonly [string]; value: unknown };
  files: { key: readonly [string]; value: FileCheckpoint };
  threads: { key: readonly [string]; value: ThreadRow };
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
}

export const TABLES: ReadonlyArray<TableName> = [
  'meta',
  'files',
  'threads',
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
    t !== 'tokenFiles' &&
    t !== 'threads' &&
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
