import { codexRefusal } from '../domain/rollout/codexSerde.js';
import type { LaterMeta, RolloutRow } from '../domain/index/rows.js';
import type { SessionMetaPayload } from '../domain/rollout/kinds/sessionMeta.js';
import { codexReadsSessionMeta } from '../domain/rollout/kinds/sessionMeta.js';
import type { RolloutEvent } from '../domain/rollout/event.js';
import { foldedHistoryMode, historyModeRefusal } from '../domain/rollout/historyMode.js';
import {
  apiSourceOfMeta,
  foldThreadMeta,
  headPreviewIsImage,
  readsThreadMeta,
  settingsChangeOf,
} from '../domain/thread/threadMeta.js';
import type { Batch } from './batch.js';
import type { Mutable, Projection, RolloutContext } from './projection.js';
import { keyText } from '../domain/index/keyText.js';

/**
 * Per-rollout facts the Thread object is built from: session meta (without its large
 * instructions), the base it continues, preview / model / effort from its own lines, first and
 * last line timestamps. Thread rows (one per thread, the current file's) are derived from these
 * by `threadRows.ts` once files are caught up.
 */

const OMITTED_META_KEYS = new Set(['base_instructions', 'instructions', 'dynamic_tools']);

const slimMeta = (payload: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) if (!OMITTED_META_KEYS.has(k)) out[k] = v;
  // A large key Codex's serde refuses stays (it is then small): the row says Codex refuses the meta (threadRows.ts).
  if (codexRefusal('sessionMeta', out) === undefined)
    for (const k of OMITTED_META_KEYS)
      if (k in payload && codexRefusal('sessionMeta', { ...out, [k]: payload[k] }) !== undefined) out[k] = payload[k];
  return out;
};

/**
 * What a later `session_meta` sets in Codex's state DB (codex-rs `state/src/extract.rs`
 * `apply_session_meta_from_item`), or undefined for one Codex does not decode (`SessionMeta`'s
 * required fields: it is passed over).
 */
const laterMetaOf = (meta: SessionMetaPayload, byteOffset: number): LaterMeta | undefined => {
  if (!codexReadsSessionMeta(meta)) return undefined;
  const git = meta.git;
  return {
    byteOffset,
    source: apiSourceOfMeta(meta),
    threadSource: meta.thread_source ?? null,
    ...(typeof meta.model_provider === 'string' ? { modelProvider: meta.model_provider } : {}),
    ...(meta.cli_version ? { cliVersion: meta.cli_version } : {}),
    ...(meta.originator ? { originator: meta.originator } : {}),
    ...(meta.cwd ? { cwd: meta.cwd } : {}),
    ...(git !== null && git !== undefined && typeof git === 'object' ? { git: git as Record<string, unknown> } : {}),
  };
};

/** A rollout's row as its first line makes it. */
const newRolloutRow = (
  ctx: { readonly rolloutId: string; readonly threadId: string; readonly path: string },
  meta: RolloutRow['meta'],
  mode: RolloutRow['mode'],
  base: RolloutRow['base'],
): RolloutRow => ({
  rolloutId: ctx.rolloutId,
  threadId: ctx.threadId,
  path: ctx.path,
  mode,
  meta,
  base,
  preview: null,
  previewByteOffset: null,
  model: null,
  reasoningEffort: null,
  settings: [],
  firstLineTimestamp: null,
  lastLineTimestamp: null,
  lines: 0,
  invalidLines: 0,
  maxOrdinal: null,
  repeatedOrdinals: 0,
  lastTurnId: null,
  lastTurnStartTimestamp: null,
});

/** The records of a file's head Codex's file scan reads its meta from (codex-rs rollout/src/list.rs). */
const HEAD_RECORD_LIMIT = 10;
/** The lines Codex's head scan reads at most while it has the meta and no user message (`HEAD_RECORD_LIMIT` + `USER_EVENT_SCAN_LIMIT`). */
const HEAD_SCAN_LIMIT = HEAD_RECORD_LIMIT + 200;

/**
 * Whether Codex's head scan of a file ends before its line that is not UTF-8 (`RolloutRow.notUtf8`),
 * its lines before it folded: codex-rs rollout/src/list.rs `read_head_summary` counts the lines
 * that are not blank, and stops at the first user message once it has read the meta, or after
 * `HEAD_SCAN_LIMIT` lines (a file whose meta it refuses is not read from its head at all).
 */
const headReadBefore = (row: RolloutRow, linesBefore: number): boolean =>
  row.refusedMeta === undefined &&
  (row.preview !== null || row.imageFirst === true || linesBefore - (row.blankLines ?? 0) >= HEAD_SCAN_LIMIT);

/** Marks a rollout's first bytes that are not UTF-8 (`RolloutRow.notUtf8`); an early (upcast) file, which Codex cannot read at all, is ours. */
const markNotUtf8 = (row: Mutable<RolloutRow>, ctx: RolloutContext, byteOffset: number, linesBefore: number): void => {
  if (row.notUtf8 === undefined && ctx.upcastFrom === undefined)
    row.notUtf8 = { byteOffset, headRead: headReadBefore(row, linesBefore) };
};

/**
 * A later meta of the thread Codex reads, its first meta refused: before any response item Codex
 * decodes it is the thread's meta, as Codex reads the head (codex-rs rollout/src/list.rs
 * `read_head_for_summary` / `read_session_meta_line`: the first record it decodes) and the thread
 * is read; after one, Codex refuses the thread's reads, but its state DB's backfill builds the
 * row from the first meta it decodes anywhere in the file (rollout/src/metadata.rs `builder_from_items`).
 */
const takeLaterMeta = (row: Mutable<RolloutRow>, payload: SessionMetaPayload, later: LaterMeta): void => {
  const refused = row.refusedMeta!;
  const meta = slimMeta(payload as Record<string, unknown>);
  if (refused.headClosed) {
    // Codex's file scan reads a head of 10 records (codex-rs rollout/src/list.rs `HEAD_RECORD_LIMIT`,
    // `read_head_summary`: the first meta it decodes there lists the thread, after a response item
    // too; measured on 0.169.0: fuzzer `--replay 20261171:158:0:0:1:1`). The lines before this one
    // are counted as the file has them (a blank line, which Codex passes by uncounted, counts here).
    if (refused.stateDbMeta === undefined)
      row.refusedMeta = {
        ...refused,
        stateDbMeta: meta,
        ...(row.lines < HEAD_RECORD_LIMIT ? { scanned: true as const } : {}),
      };
    // Every meta it decodes is applied over the first as well (state/src/extract.rs `apply_session_meta_from_item`).
    row.laterMetas = [...(row.laterMetas ?? []), later];
    return;
  }
  delete row.refusedMeta;
  row.meta = meta;
  row.mode = foldedHistoryMode(payload.history_mode);
};

/**
 * A refused first meta's mark. A `history_mode` Codex refuses makes it load nothing of the file
 * (codex-rs rollout/src/recorder.rs `reject_unknown_thread_history_mode`): every read refused
 * whatever meta follows, and no state-DB row (its backfill's `load_rollout_items` fails).
 */
const refusedMetaOf = (historyModeRefused: boolean): NonNullable<RolloutRow['refusedMeta']> =>
  historyModeRefused ? { headClosed: true, historyModeRefused: true } : { headClosed: false };

/** One more quarantined line of a rollout: its row's count, mirrored in the sparse `quarantineCounts` table. */
const countInvalid = (b: Batch, rolloutId: string, row: { invalidLines: number }): void => {
  row.invalidLines += 1;
  b.put('quarantineCounts', [rolloutId], row.invalidLines);
};

type InvalidEvent = Extract<RolloutEvent, { kind: 'invalid' }>;

/** A first meta our codec refuses (Codex's serde too): the file's row, its meta refused (probe.ts `identityOf`). */
const putRefusedFirstMeta = (b: Batch, ctx: RolloutContext, ev: InvalidEvent): void => {
  const R = ctx.rolloutId;
  if (b.get('rollouts', [R]) !== undefined) return;
  const row = newRolloutRow(ctx, null, 'legacy', null);
  b.put('rollouts', [R], { ...row, refusedMeta: refusedMetaOf(ev.historyModeRefused === true), invalidLines: 1 });
  b.put('quarantineCounts', [R], 1);
};

/** A session_meta after the first line: the thread's meta if its first was refused, else one more later meta. */
const applyLaterMeta = (b: Batch, ctx: RolloutContext, payload: SessionMetaPayload, byteOffset: number): void => {
  const later = laterMetaOf(payload, byteOffset);
  const row = later === undefined ? undefined : b.edit('rollouts', [ctx.rolloutId]);
  if (row?.refusedMeta !== undefined && payload.id === ctx.threadId) {
    takeLaterMeta(row, payload, later!);
    return;
  }
  // Only a meta of the file's own thread (a fork's file may embed its source's).
  if (row && later && payload.id === (row.meta as { id?: unknown } | null)?.id)
    row.laterMetas = [...(row.laterMetas ?? []), later];
};

/** The first line's session_meta: the rollout's row, and its fork edge when it continues a base. */
const putFirstMeta = (b: Batch, ctx: RolloutContext, payload: SessionMetaPayload): void => {
  const R = ctx.rolloutId;
  if (b.get('rollouts', [R]) !== undefined) return;
  const hb = payload.history_base;
  const row = newRolloutRow(
    ctx,
    {
      ...slimMeta(payload as Record<string, unknown>),
      ...(ctx.upcastFrom !== undefined ? { upcast_from: ctx.upcastFrom } : {}),
    },
    foldedHistoryMode(payload.history_mode),
    hb
      ? {
          rolloutId: hb.thread_id,
          endOrdinalExclusive: hb.end_ordinal_exclusive,
          endByteOffset: hb.end_byte_offset,
        }
      : null,
  );
  // An early (upcast) file, which Codex cannot read at all, is ours (docs/compatibility.md).
  const refused = ctx.upcastFrom === undefined && !codexReadsSessionMeta(payload);
  b.put(
    'rollouts',
    [R],
    refused ? { ...row, refusedMeta: refusedMetaOf(historyModeRefusal(payload.history_mode) !== undefined) } : row,
  );
  if (row.base !== null) b.put('rolloutForks', [keyText(row.base.rolloutId), R], 0);
};

/**
 * The turn start a line records, or undefined for none. A task_started line dates the thread even
 * when serde refuses it (Codex's or ours): Codex's state DB takes recency from the line (measured: a
 * turn_id 1.5, fuzzer seed 20261128 path 30:0:0:1:1:1); a refused one is null unless we read it.
 */
const turnStartOf = (ev: RolloutEvent): RolloutEvent | null | undefined =>
  ev.kind === 'invalid'
    ? ev.payloadType === 'task_started'
      ? (ev.readable ?? null)
      : undefined
    : ev.kind === 'taskStarted'
      ? ev
      : undefined;

/** The last turn started in this file: Codex's recency, and the turn a later token count names. */
const noteTurnStart = (b: Batch, R: string, started: RolloutEvent | null, timestamp: string): void => {
  const row = b.edit('rollouts', [R]);
  if (!row) return;
  if (started?.kind === 'taskStarted') row.lastTurnId = started.payload.turn_id;
  row.lastTurnStartTimestamp = timestamp;
};

/** The thread's preview, model and effort, folded over one more line (its first preview kept). */
const foldPreviewModel = (row: Mutable<RolloutRow>, ev: RolloutEvent, fromResponses: boolean, at: number): void => {
  const hadPreview = row.preview !== null;
  const folded = foldThreadMeta(
    { preview: row.preview, model: row.model, reasoningEffort: row.reasoningEffort },
    ev,
    fromResponses,
  );
  row.model = folded.model;
  row.reasoningEffort = folded.reasoningEffort;
  if (!hadPreview && folded.preview !== null) {
    row.preview = folded.preview;
    row.previewByteOffset = at;
  }
};

/** A settings change the line makes, appended unless it repeats the last one. */
const appendSettingsChange = (row: Mutable<RolloutRow>, ev: RolloutEvent, at: number): void => {
  const change = settingsChangeOf(ev);
  const last = row.settings[row.settings.length - 1];
  // A repeat changes nothing (its cwd and provider too: Codex's state DB keeps the last).
  if (
    change &&
    !(
      last &&
      last.kind === change.kind &&
      last.model === change.model &&
      last.effort === change.effort &&
      last.cwd === change.cwd &&
      last.provider === change.provider
    )
  )
    row.settings = [...row.settings, { ...change, byteOffset: at }];
};

export const threadsProjection: Projection = {
  name: 'threads',
  readsAsCodex: true,
  onLine: (b, ctx, seen) => {
    // A first line that is no session_meta (adapters/driven/jsonl/readers/probe.ts `identityOf`): a row whose meta Codex refuses.
    if (seen.pos.line === 0 && ctx.upcastFrom === undefined && b.get('rollouts', [ctx.rolloutId]) === undefined)
      b.put('rollouts', [ctx.rolloutId], {
        ...newRolloutRow(ctx, null, 'legacy', null),
        refusedMeta: refusedMetaOf(false),
      });
    const row = b.edit('rollouts', [ctx.rolloutId]);
    if (!row) return;
    row.lines += 1;
    // A response item Codex decodes before any later meta it reads: its head starts with it.
    if (seen.headResponse && row.refusedMeta?.headClosed === false)
      row.refusedMeta = { ...row.refusedMeta, headClosed: true };
    if (seen.codexItem && row.refusedMeta !== undefined && row.refusedMeta.codexItems !== true)
      row.refusedMeta = { ...row.refusedMeta, codexItems: true };
    if (seen.undecodable) countInvalid(b, ctx.rolloutId, row);
    if (row.notUtf8 === undefined) {
      if (seen.blank) row.blankLines = (row.blankLines ?? 0) + 1;
      if (seen.notUtf8) markNotUtf8(row, ctx, seen.pos.byteOffset, row.lines - 1);
    }
    const ordinal = seen.pos.ordinal;
    if (ordinal !== null) {
      if (row.maxOrdinal !== null && ordinal <= row.maxOrdinal) row.repeatedOrdinals += 1;
      else row.maxOrdinal = ordinal;
    }
    row.firstLineTimestamp ??= seen.timestamp;
    if (seen.timestamp !== null) row.lastLineTimestamp = seen.timestamp;
  },
  onNotUtf8Tail: (b, ctx, byteOffset) => {
    const row = b.edit('rollouts', [ctx.rolloutId]);
    if (row) markNotUtf8(row, ctx, byteOffset, row.lines);
  },
  apply: (b, ctx, ev, pos, timestamp) => {
    const R = ctx.rolloutId;
    if (ev.kind === 'invalid' && ev.type === 'session_meta' && pos.line === 0 && ctx.upcastFrom === undefined)
      return putRefusedFirstMeta(b, ctx, ev);
    if (ev.kind === 'sessionMeta')
      return pos.line !== 0 ? applyLaterMeta(b, ctx, ev.payload, pos.byteOffset) : putFirstMeta(b, ctx, ev.payload);
    const fromResponses = ev.kind === 'responseItem' && ctx.itemsFromResponses === true;
    const started = turnStartOf(ev);
    if (started !== undefined) {
      noteTurnStart(b, R, started, timestamp);
      if (ev.kind === 'taskStarted') return;
    }
    // The kinds the thread's preview and settings fold reads (its table, threadMeta.ts), and invalid lines to count.
    if (ev.kind !== 'invalid' && (ev.kind === 'responseItem' ? !fromResponses : !readsThreadMeta(ev.kind))) return;
    const row = b.edit('rollouts', [R]);
    if (!row) return;
    if (ev.kind === 'invalid') {
      // A line Codex refuses but we read is no quarantined line: the runner counts it (`codexUnread`).
      if (ev.codexOnly !== true) countInvalid(b, R, row);
      return;
    }
    foldPreviewModel(row, ev, fromResponses, pos.byteOffset);
    // Codex's head scan takes a first user message of images alone as its preview (`RolloutRow.imageFirst`).
    if (ev.kind === 'userMessage' && row.preview === null && row.imageFirst !== true && row.notUtf8 === undefined)
      if (headPreviewIsImage(ev.payload)) row.imageFirst = true;
    appendSettingsChange(row, ev, pos.byteOffset);
  },
};
