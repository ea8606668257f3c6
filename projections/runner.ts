import { codexReadsSessionMeta } from '../domain/rollout/kinds/sessionMeta.js';
import { classifyRolloutLine, codexNumbersLegacyEvent, codexView } from '../domain/rollout/event.js';
import type { RolloutEvent } from '../domain/rollout/event.js';
import { codexNumbersLegacyLine } from '../domain/rollout/lineKinds.js';
import { payloadType } from '../domain/rollout/line.js';
import type { FileCheckpoint, IndexReader, IndexWrite, LinePos } from '../domain/index/rows.js';
import { ROLLOUT_TABLES, TOKEN_ROLLOUT_TABLES } from '../domain/index/rows.js';
import type { TableName } from '../domain/index/rows.js';
import { Batch } from './batch.js';
import { decodeLine, lazyDecode } from './lazyLine.js';
import type { LazyLine } from './lazyLine.js';
import type { Projection, RolloutContext } from './projection.js';
import { ALL_PROJECTIONS, ALL_PROJECTIONS_SUBSET } from './all.js';
import type { ProjectionSubset } from './all.js';
import type { TokenLineFields } from './tokenLineFields.js';
import { keyText } from '../domain/index/keyText.js';
import { writeCheckpoint } from './fileCheckpoints.js';

/**
 * One complete line of a rollout file as the reader found it: its text to decode here (null:
 * bytes the reader quarantined), or its `lazy` view when the reader already classified it from
 * its first bytes (then the text is not needed).
 */
export interface LineIn {
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly text: string | null;
  readonly lazy?: LazyLine;
  /** `text` lacks the contents of long strings no projection reads (the stored bytes are at the range). */
  readonly elided?: boolean;
  /** The reader found by the line's first bytes that a projection reads it (its prefix is not checked again). */
  readonly prefixRead?: true;
  /**
   * The reader quarantined the line's bytes as not UTF-8 (`text` null): Codex's loads of the file
   * fail on it (`LineSeen.notUtf8`).
   */
  readonly notUtf8?: true;
  /**
   * No line: the bytes after the file's last line (no newline yet, at `byteOffset`) are not UTF-8
   * (the reader's `TailEnd.notUtf8TailAt`). Only the mark is folded (`Projection.onNotUtf8Tail`).
   */
  readonly notUtf8Tail?: true;
  /** The reader read the fields the token fold needs from the line's bytes (tokenLineFields.ts): the line's event, as its full decode gives it. */
  readonly fields?: TokenLineFields;
}

/**
 * One batch of one file: optionally clear rollouts' rows first (re-index), fold the lines, and
 * move the file's checkpoint. The caller commits the resulting writes in one transaction.
 */
export interface BatchPlan {
  /** Null for a file whose identity could not be read: only its checkpoint is written. */
  readonly ctx: RolloutContext | null;
  readonly resetRollouts: ReadonlyArray<string>;
  /** The lines start at the file's first line: after the resets the store holds none of its rows. */
  readonly fromStart?: boolean;
  /** Only with `fromStart`: the store does hold its token projection's rows (`RolloutContext.tokensFrom`). */
  readonly tokensStored?: boolean;
  readonly lines: ReadonlyArray<LineIn>;
  readonly checkpoint: FileCheckpoint;
}

/** A text line no projection could use: not a rollout line, or a known kind whose payload fails its codec. */
export interface RejectedLine {
  readonly line: number;
  readonly byteOffset: number;
  readonly byteLength: number;
  readonly reason: string;
  /** The line's text for the quarantine record; null when only its byte range has it (an elided text). */
  readonly text: string | null;
}

export interface BatchStats {
  lines: number;
  parsed: number;
  skipped: number;
  /** Lines that were text but not usable (see `rejected`), or bytes the reader quarantined. */
  undecodable: number;
  /** Lines we read that Codex's serde refuses (`codexView`): left out of the history folds only. */
  codexUnread: number;
  readonly rejected: RejectedLine[];
}

export const emptyStats = (): BatchStats => ({
  lines: 0,
  parsed: 0,
  skipped: 0,
  undecodable: 0,
  codexUnread: 0,
  rejected: [],
});

/**
 * Clear every row of a rollout (all tables keyed by rollout id, and its entry under its base), or
 * only those of the `tables` given (the token projection's, re-indexed alone).
 */
export const clearRollout = (b: Batch, rolloutId: string, tables: ReadonlyArray<TableName> = ROLLOUT_TABLES): void => {
  if (tables === ROLLOUT_TABLES) {
    const base = b.get('rollouts', [rolloutId])?.base;
    if (base != null) b.del('rolloutForks', [keyText(base.rolloutId), rolloutId]);
  }
  for (const table of tables) for (const k of b.keys(table, [rolloutId])) b.del(table, k as never);
};

/** What a skipped `compacted` line is to the projections: a compaction, its (large) payload unread. */
const READ_COMPACTION: RolloutEvent = { kind: 'compacted', payload: { message: '' } };

const QUARANTINED: LazyLine = { kind: 'undecodable', reason: 'quarantined' };

/** Nothing but what Rust's `str::trim` takes off (Unicode White_Space: U+0085 too, not JS's U+FEFF). */
const RUST_BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

/** Fold one line into the batch. Pure. */
export const foldLine = (
  b: Batch,
  ctx: RolloutContext,
  l: LineIn,
  stats: BatchStats,
  projections: ReadonlyArray<Projection> = ALL_PROJECTIONS,
): void => {
  if (l.fields !== undefined) return foldFields(b, ctx, l, l.fields, stats, projections);
  if (l.notUtf8Tail === true) {
    for (const p of projections) p.onNotUtf8Tail?.(b, ctx, l.byteOffset);
    return;
  }
  stats.lines += 1;
  const lazy =
    l.lazy ?? (l.text === null ? QUARANTINED : l.prefixRead === true ? decodeLine(l.text) : lazyDecode(l.text, ctx));
  const ordinal = lazy.kind === 'skipped' ? lazy.ordinal : lazy.kind === 'decoded' ? (lazy.line.ordinal ?? null) : null;
  const pos: LinePos = { line: l.line, byteOffset: l.byteOffset, byteLength: l.byteLength, ordinal };
  const timestamp = lazy.kind === 'skipped' ? lazy.timestamp : lazy.kind === 'decoded' ? lazy.line.timestamp : null;
  let codexNumbers = lazy.kind === 'skipped' ? lazy.unnumbered !== true : false;
  // A skipped response item has its type in its prefix: Codex decodes it (`ResponseItem` reads an unknown type as `Other`).
  let headResponse = lazy.kind === 'skipped' && lazy.type === 'response_item';
  // A skipped line is one of a known kind its prefix shows, read by Codex as by us.
  let codexItem = lazy.kind === 'skipped';
  if (lazy.kind === 'skipped') {
    stats.skipped += 1;
    // A compaction is skipped unread (its prefix shows its message: it decodes); the turn rules still see it.
    if (lazy.type === 'compacted') for (const p of projections) p.apply(b, ctx, READ_COMPACTION, pos, lazy.timestamp);
  } else if (lazy.kind === 'undecodable') {
    stats.undecodable += 1;
    // Bytes the reader quarantined (text null) are recorded by the reader; text lines here.
    if (l.text !== null || l.lazy !== undefined)
      stats.rejected.push({
        line: l.line,
        byteOffset: l.byteOffset,
        byteLength: l.byteLength,
        reason: lazy.reason,
        text: l.elided === true ? null : l.text,
      });
  } else {
    stats.parsed += 1;
    const ours = classifyRolloutLine(lazy.line);
    // An early (upcast) file Codex cannot read at all: its lines are ours alone (docs/compatibility.md).
    const asCodex = ctx.upcastFrom === undefined ? codexView(lazy.line, ours, l.line) : ours;
    codexNumbers = codexNumbersLegacyEvent(lazy.line, asCodex);
    const ev = ours;
    if (ev.kind !== 'invalid' && asCodex.kind === 'invalid') stats.codexUnread += 1;
    // A file's own meta stays ours in its Codex view (`codexView`): asked here whether Codex reads it.
    codexItem =
      asCodex.kind === 'sessionMeta' && l.line === 0
        ? codexReadsSessionMeta(asCodex.payload)
        : asCodex.kind !== 'invalid';
    headResponse =
      lazy.line.type === 'response_item' &&
      payloadType(lazy.line) !== undefined &&
      (ours.kind === 'other' || asCodex.kind !== 'invalid');
    if (ev.kind === 'invalid') {
      stats.undecodable += 1;
      const kind = ev.payloadType ? `${ev.type}/${ev.payloadType}` : ev.type;
      stats.rejected.push({
        line: l.line,
        byteOffset: l.byteOffset,
        byteLength: l.byteLength,
        reason: `${kind} does not decode: ${ev.reason}`,
        text: l.elided === true ? null : lazy.line.raw,
      });
    }
    for (const p of projections) p.apply(b, ctx, p.readsAsCodex === true ? asCodex : ev, pos, lazy.line.timestamp);
  }
  // After `apply`, so the line that creates a row (session_meta) is counted in it.
  for (const p of projections)
    p.onLine?.(b, ctx, {
      pos,
      timestamp,
      undecodable: lazy.kind === 'undecodable',
      codexNumbers,
      headResponse,
      codexItem,
      notUtf8: l.notUtf8 === true,
      blank: l.byteLength === 0 || (lazy.kind === 'undecodable' && l.text !== null && RUST_BLANK.test(l.text)),
    });
};

/** `foldLine` of a line read by its fields: what its full decode would fold (a known kind, never invalid). */
const foldFields = (
  b: Batch,
  ctx: RolloutContext,
  l: LineIn,
  f: TokenLineFields,
  stats: BatchStats,
  projections: ReadonlyArray<Projection>,
): void => {
  stats.lines += 1;
  stats.parsed += 1;
  const pos: LinePos = { line: l.line, byteOffset: l.byteOffset, byteLength: l.byteLength, ordinal: f.ordinal ?? null };
  for (const p of projections) p.apply(b, ctx, f.event, pos, f.timestamp);
  const codexNumbers = codexNumbersLegacyLine(f.type, f.payloadType);
  for (const p of projections)
    p.onLine?.(b, ctx, {
      pos,
      timestamp: f.timestamp,
      undecodable: false,
      codexNumbers,
      headResponse: f.type === 'response_item',
      codexItem: true,
      notUtf8: false,
      blank: false,
    });
};

/** Start a file's batch: clear the rollouts it re-indexes; from its first line, nothing of it is stored. Pure. */
export const beginFileBatch = (
  b: Batch,
  plan: Pick<BatchPlan, 'ctx' | 'resetRollouts' | 'fromStart' | 'tokensStored'>,
  tables: ReadonlyArray<TableName> = ROLLOUT_TABLES,
): void => {
  for (const r of plan.resetRollouts) clearRollout(b, r, tables);
  if (plan.ctx !== null && plan.fromStart === true)
    b.markEmpty(plan.ctx.rolloutId, plan.tokensStored === true ? TOKEN_ROLLOUT_TABLES : []);
};

/** Apply one file's batch to a (possibly shared) Batch: resets, lines, checkpoint. Pure. */
export const projectInto = (
  b: Batch,
  plan: BatchPlan,
  subset: ProjectionSubset = ALL_PROJECTIONS_SUBSET,
): BatchStats => {
  const stats = emptyStats();
  beginFileBatch(b, plan, subset.tables);
  if (plan.ctx !== null) for (const l of plan.lines) foldLine(b, plan.ctx, l, stats, subset.projections);
  writeCheckpoint(b, subset.checkpoints, plan.checkpoint.path, plan.checkpoint);
  return stats;
};

/** Build the writes of one batch against the stored index. Pure. */
export const projectBatch = (
  reader: IndexReader,
  plan: BatchPlan,
  subset: ProjectionSubset = ALL_PROJECTIONS_SUBSET,
): { writes: IndexWrite[]; stats: BatchStats } => {
  const b = new Batch(reader);
  const stats = projectInto(b, plan, subset);
  return { writes: b.writes(), stats };
};
