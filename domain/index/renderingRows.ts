import type { HistoryMode } from '../rollout/historyMode.js';

// The renderings a whole read stores (tables `turnRenderings`, `segmentRenderings`: rows.ts `IndexTables`).

/**
 * A turn's items as `thread/read` writes them (`items` is their JSON text), stored by the first
 * whole read that rendered them (replay/internal/fullTurns.ts), so later reads of a long thread
 * copy text instead of reading and folding every item's lines again. Current while the turn's
 * `itemsThrough` and the thread's item fold (`mode`, `itemsFromResponses`) are what it was made at.
 */
export interface TurnRendering {
  readonly itemsThrough: number;
  readonly mode: HistoryMode;
  readonly itemsFromResponses: boolean;
  readonly items: string;
}

/**
 * A whole segment's turns as `thread/read` writes them (a rollout read to its end: the current
 * file), stored by the read that rendered them so the next read of an idle thread copies text
 * instead of walking its turns: a header (n = 0) and chunks of comma-separated turn texts (n ≥ 1).
 * Current while the file's checkpoint is at `through` (its rows are a function of the lines
 * indexed) and the thread's item fold (`mode`, `itemsFromResponses`) is the same.
 */
export interface SegmentRenderingHeader {
  readonly through: number;
  readonly mode: HistoryMode;
  readonly itemsFromResponses: boolean;
  readonly chunks: number;
}
export interface SegmentRenderingChunk {
  readonly through: number;
  readonly turns: string;
}
