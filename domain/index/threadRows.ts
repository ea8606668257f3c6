import type { Thread } from '../thread/thread.js';
import type { ReadState } from '../threadState/threadStateEvent.js';

// A thread's row in the index (table `threads`: rows.ts `IndexTables`) and its list sort keys.

/**
 * A thread's `thread/list` sort keys in milliseconds: session start, last line, last turn start
 * (else start), its current file name's time read as UTC (`named`: Codex's file scan orders
 * created_at by it, though Codex writes it in the writer's local time), and its current file's
 * modification time (`scanned`: Codex's file scan orders updated_at by it, codex-rs
 * `rollout/src/list.rs` `file_modified_rfc3339`, where its state DB holds the row's own time).
 */
export interface ThreadSortMs {
  readonly created: number;
  readonly updated: number;
  readonly recency: number;
  readonly named: number;
  readonly scanned: number;
}

/** The list orders a thread has a `threadOrder` key in (`ListOrder['key']`). */
export type ThreadOrderKey = keyof ThreadSortMs;
export const THREAD_ORDER_KEYS: ReadonlyArray<ThreadOrderKey> = ['created', 'updated', 'recency', 'named', 'scanned'];

/** Thread row: every app-server Thread field except `turns` and `status`, plus where it lives and its list sort keys. */
export type ThreadRow = Omit<Thread, 'turns' | 'status'> & {
  readonly archived: boolean;
  readonly rolloutId: string;
  readonly sortMs: ThreadSortMs;
  /** The thread's read receipt from the engine's thread-state log (`threadState`), absent while it has none. */
  readonly readState?: ReadState;
  /**
   * What Codex's state DB holds for the thread where it is not the first meta's: the last
   * decodable thread settings line's or later meta's cwd and provider, the last meta's source and
   * cli version (codex-rs `state/src/extract.rs`); what the state DB's lists and `thread/search`
   * answer and filter by, and `thread/read` answers (measured on 0.169.0: foldRules.compat.spec.ts,
   * metaRules.compat.spec.ts). Absent, or a field absent: the row's.
   */
  readonly stateDb?: StateDbFields;
  /**
   * The provider Codex's file scan filters the thread by when it is not `modelProvider`: a meta's
   * `model_provider: ""`, which the file scan takes as it is and the answer as the default.
   */
  readonly fileScanProvider?: string;
  /**
   * What Codex's file scan answers from its state DB's row where the first meta leaves a field unset
   * (codex-rs rollout/src/recorder.rs `fill_missing_thread_item_metadata`): a meta without a
   * `model_provider` (null or absent) answers the row's, which a thread settings line or a later
   * meta may have set (measured on 0.169.0: fuzzer `--replay 20261181:99:0:0:0:0:1`).
   */
  readonly fileScanFills?: { readonly modelProvider: string };
  /**
   * The history mode Codex's state DB row holds where it is not the thread's: a row built from the
   * file name, the meta's `timestamp` unread, holds none (codex-rs rollout/src/metadata.rs
   * `builder_from_items`), which its state-DB lists answer as `legacy`; its reads answer the meta's.
   */
  readonly stateDbHistoryMode?: 'legacy';
  /**
   * The current file's mtime (ms) as last indexed: what Codex's file scan answers as `updatedAt`
   * (codex-rs/rollout/src/list.rs, the listed file's modification time), whatever its state DB holds.
   */
  readonly fileMtimeMs?: number;
  /**
   * The thread's first meta is one Codex's serde refuses (`RolloutRow.refusedMeta`): the row is
   * what Codex's state DB's backfill keeps for its file, which only its state-DB lists and search
   * show; its file scan lists it nowhere and its reads are refused (replay/internal/openThread.ts).
   */
  readonly metaRefused?: true;
  /** A `metaRefused` thread Codex's file scan lists all the same, by a later meta in its head (`RolloutRow.refusedMeta.scanned`). */
  readonly scanListed?: true;
  /**
   * Codex's file scan and its reads of the rollout cannot read the thread's start: its meta's
   * `timestamp` is no RFC 3339 time (codex-rs rollout/src/list.rs `record_session_meta_in_summary`
   * takes it as it is; thread-store/src/local/helpers.rs `stored_thread_from_rollout_item` reads it
   * with `parse_rfc3339`, else `Utc::now()`). Those answers hold the time of the request
   * (`withRolloutReadStart`), where its state DB holds the file name's (`createdAt`).
   */
  readonly startUnread?: true;
  /**
   * Codex cannot load the thread's rollout (`RolloutRow.notUtf8`: a line that is not UTF-8), so its
   * state DB holds no row for it: only its file scan lists it, from the head (`headRead`: the head
   * its scan read before that line), and its reads answer from that head and refuse the history
   * (replay/internal/openThread.ts). The row holds what its read answers (projections/threadRows.ts
   * `headOnlyRowOf`); `headUnread`: its scan failed before the head's end, and no list shows it.
   */
  readonly historyUnloadable?: 'headRead' | 'headUnread';
  /**
   * The thread's name in `session_index.jsonl` where the row's `name` is another: a paginated
   * thread's name is its state-DB row's (projections/threadRows.ts `ThreadNames`). What Codex's
   * file scan searches a term in (`filter_thread_items_by_search_term`).
   */
  readonly sessionIndexName?: string | null;
};

/** The thread's name in `session_index.jsonl`, as its row says (`ThreadRow.sessionIndexName`). */
export const sessionIndexNameOf = (row: ThreadRow): string | null =>
  row.sessionIndexName === undefined ? row.name : row.sessionIndexName;

/** The fields of a thread row Codex's state DB may hold otherwise (`ThreadRow.stateDb`). */
export interface StateDbFields {
  readonly cwd?: string;
  readonly modelProvider?: string;
  readonly source?: unknown;
  readonly cliVersion?: string;
}
