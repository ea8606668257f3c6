import { classifyRolloutLine } from '../domain/rollout/event.js';
import type { FileCheckpoint, IndexReader, IndexWrite, LinePos } from '../domain/index/rows.js';
import { ROLLOUT_TABLES } from '../domain/index/rows.js';
import { Batch } from './batch.js';
import { lazyDecode } from './lazyLine.js';
import type { Projection, RolloutContext } from './projection.js';
import { ALL_PROJECTIONS } from './all.js';

/** One complete line of a rollout file as the reader found it (text null: quarantined bytes). */
export interface LineIn {
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly text: string | null;
}

/**
 * One batch of one file: optionally clear rollouts' rows first (re-index), fold the lines, and
 * move the file's checkpoint. The caller commits the resulting writes in one transaction.
 */
export interface BatchPlan {
  /** Null for a file whose identity could not be read: only its checkpoint is written. */
  readonly ctx: RolloutContext | null;
  readonly resetRollouts: ReadonlyArray<string>;
  readonly lines: ReadonlyArray<LineIn>;
  readonly checkpoint: FileCheckpoint;
}

export interface BatchStats {
  lines: number;
  parsed: number;
  skipped: number;
  undecodable: number;
}

export const emptyStats = (): BatchStats => ({ lines: 0, parsed: 0, skipped: 0, undecodable: 0 });

/** Clear every row of a rollout (all tables keyed by rollout id). */
export const clearRollout = (b: Batch, rolloutId: string): void => {
  for (const table of ROLLOUT_TABLES) for (const k of b.keys(table, [rolloutId])) b.del(table, k as never);
};

/** Fold one line into the batch. Pure. */
export const foldLine = (b: Batch, ctx: RolloutContext, l: LineIn, stats: BatchStats, projections: ReadonlyArray<Projection> = ALL_PROJECTIONS): void => {
  stats.lines += 1;
  const lazy = l.text === null ? ({ kind: 'undecodable', reason: 'quarantined' } as const) : lazyDecode(l.text);
  const ordinal = lazy.kind === 'skipped' ? lazy.ordinal : lazy.kind === 'decoded' ? (lazy.line.ordinal ?? null) : null;
  const pos: LinePos = { line: l.line, byteOffset: l.byteOffset, byteLength: l.byteLength, ordinal };
  const timestamp = lazy.kind === 'skipped' ? lazy.timestamp : lazy.kind === 'decoded' ? lazy.line.timestamp : null;
  if (lazy.kind === 'skipped') stats.skipped += 1;
  else if (lazy.kind === 'undecodable') stats.undecodable += 1;
  else {
    stats.parsed += 1;
    const ev = classifyRolloutLine(lazy.line);
    for (const p of projections) p.apply(b, ctx, ev, pos, lazy.line.timestamp);
  }
  // After `apply`, so the line that creates a row (session_meta) is counted in it.
  for (const p of projections) p.onLine?.(b, ctx, { pos, timestamp, undecodable: lazy.kind === 'undecodable' });
};

/** Build the writes of one batch against the stored index. Pure. */
export const projectBatch = (
  reader: IndexReader,
  plan: BatchPlan,
  projections: ReadonlyArray<Projection> = ALL_PROJECTIONS,
): { writes: IndexWrite[]; stats: BatchStats } => {
  const b = new Batch(reader);
  const stats = emptyStats();
  for (const r of plan.resetRollouts) clearRollout(b, r);
  if (plan.ctx !== null) for (const l of plan.lines) foldLine(b, plan.ctx, l, stats, projections);
  b.put('files', [plan.checkpoint.path], plan.checkpoint);
  return { writes: b.writes(), stats };
};

/** A file that is gone: its checkpoint, and the rows of the rollouts it owned. */
export const forgetFile = (reader: IndexReader, path: string, ownedRollouts: ReadonlyArray<string>): IndexWrite[] => {
  const b = new Batch(reader);
  for (const r of ownedRollouts) clearRollout(b, r);
  b.del('files', [path]);
  return b.writes();
};
