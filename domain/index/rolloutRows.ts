import type { FoldCursor } from '../thread/turnFoldState.js';
import type { HistoryMode } from '../rollout/historyMode.js';
import type { SettingsChange } from '../thread/threadMeta.js';

// A rollout file's own row and fold state in the index (tables `rollouts`, `fold`: rows.ts `IndexTables`).

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
   * `stateDbMeta`: the first later meta it reads after one, which that row is built from;
   * `scanned`: that meta lies in the head Codex's file scan reads (its first 10 records), which
   * lists the thread by it (its reads stay refused);
   * `codexItems`: a line of the file Codex decodes (its backfill keeps no row for a file with none:
   * rollout/src/metadata.rs `extract_metadata_from_rollout`, "empty session file").
   */
  readonly refusedMeta?: {
    readonly headClosed: boolean;
    readonly codexItems?: true;
    readonly historyModeRefused?: true;
    readonly stateDbMeta?: Record<string, unknown>;
    readonly scanned?: true;
  };
  /**
   * The file's first line that is not UTF-8 (absent: none). Codex reads a rollout with tokio's
   * `lines()`, which fails there: every load of its history fails (codex-rs rollout/src/recorder.rs
   * `load_rollout_items`), and so does its state DB's backfill of the file (rollout/src/metadata.rs
   * `extract_metadata_from_rollout`: no row). `headRead`: its head scan ends before that line
   * (rollout/src/list.rs `read_head_summary`: it stops at the first user message, or after 210
   * lines), so its file scan lists the thread and its read answers from that head.
   */
  readonly notUtf8?: { readonly byteOffset: number; readonly headRead: boolean };
  /** Lines of nothing but whitespace before `notUtf8`'s line (absent: none): Codex's head scan passes them by uncounted. */
  readonly blankLines?: number;
  /**
   * The file's first user message, before `notUtf8`'s line, is images alone (absent: not so): no
   * preview of ours (the state DB passes it over), where Codex's head scan stops at it with the
   * preview `[Image]` (codex-rs rollout/src/list.rs `event_msg_preview`).
   */
  readonly imageFirst?: true;
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
  /**
   * Paginated: how far the ordinal Codex's projection expects next is from `startOrdinal + line`
   * (absent: 0, a file numbered as Codex numbers it), below once lines were skipped
   * (domain/thread/paginatedOrdinals.ts). Kept as a difference so that a file numbered densely
   * never writes this row.
   */
  readonly ordinalShift?: number;
}
