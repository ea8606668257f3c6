import type { TurnState } from '../thread/turnFoldState.js';
import type { ThreadItem } from '../thread/threadItem.js';
import type { AgentMessagePhase } from '../thread/finalAgentMessage.js';

// A rollout file's turns and items in the index (tables `turns`, `items`, `turnIds`: rows.ts `IndexTables`).

/** Where a line is, inside its own rollout file. `line` is the 0-based line index in the file. */
export interface LinePos {
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Paginated `ordinal` (Codex's cursor `rolloutOrdinal`), null in legacy mode. */
  readonly ordinal: number | null;
}

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
