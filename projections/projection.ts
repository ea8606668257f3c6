import type { RolloutEvent } from '../domain/rollout/event.js';
import type { LinePos } from '../domain/index/rows.js';
import type { Batch } from './batch.js';

/** The rollout file a batch belongs to. Identity comes from its session_meta and file name. */
export interface RolloutContext {
  readonly rolloutId: string;
  readonly threadId: string;
  readonly path: string;
  /** An early (upcast) rollout: items and preview come from its model-context response items. */
  readonly itemsFromResponses?: boolean;
  /** The format an early rollout is upcast from: kept in its rollout row's meta (`upcast_from`) so reads of its bytes decode them the same way. */
  readonly upcastFrom?: 'envelopeLess' | 'recordTyped';
  /**
   * The byte offset from which the token projection folds this file's lines: its rows below it
   * are already in the index (a `tokens` report caught up that projection alone: `tokenFiles`).
   */
  readonly tokensFrom?: number;
}

/** Every line, decoded or not: position, envelope timestamp (null if unreadable). */
export interface LineSeen {
  readonly pos: LinePos;
  readonly timestamp: string | null;
  readonly undecodable: boolean;
  /** Whether Codex 0.169 gives the line a place in a legacy file's implicit turn numbers (`codexNumbersLegacyLine`). */
  readonly codexNumbers: boolean;
  /**
   * A response item Codex decodes: a record of the head Codex reads a thread's meta from
   * (codex-rs rollout/src/list.rs `read_head_for_summary`, its session metas and response items).
   */
  readonly headResponse: boolean;
  /**
   * A line Codex decodes as a rollout item: a file with none has no row in its state DB (codex-rs
   * rollout/src/metadata.rs `extract_metadata_from_rollout`: "empty session file").
   */
  readonly codexItem: boolean;
  /**
   * Bytes that are not UTF-8: Codex reads a rollout with tokio's `lines()`, which fails there, and
   * its whole load with it (codex-rs rollout/src/recorder.rs `load_rollout_items`).
   */
  readonly notUtf8: boolean;
  /** A line Codex's head scans pass by uncounted: nothing but whitespace (codex-rs rollout/src/list.rs `read_head_summary`, `trim`). */
  readonly blank: boolean;
}

/**
 * A projection: a pure reducer over (event, position) whose output is index writes. It reads the
 * rows it updates through the batch (which sees earlier writes of the same batch and the stored
 * index), and writes rows back into it. No IO, no clock. Adding a projection is one file plus
 * one entry in `all.ts`.
 */
export interface Projection {
  readonly name: string;
  /**
   * Folds the history Codex answers (turns, items, a thread's preview, model and recency): it is
   * given each line as Codex reads it back (`codexView`: a line Codex's serde refuses is `invalid`),
   * the others each line as we read it.
   */
  readonly readsAsCodex?: true;
  readonly onLine?: (b: Batch, ctx: RolloutContext, seen: LineSeen) => void;
  /** The bytes after the file's last line, at `byteOffset`, are not UTF-8 (`LineIn.notUtf8Tail`): no line, a mark. */
  readonly onNotUtf8Tail?: (b: Batch, ctx: RolloutContext, byteOffset: number) => void;
  readonly apply: (b: Batch, ctx: RolloutContext, ev: RolloutEvent, pos: LinePos, timestamp: string) => void;
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
