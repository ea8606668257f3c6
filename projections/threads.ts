import { codexRefusal } from '../domain/rollout/codexSerde.js';
import type { LaterMeta, RolloutRow } from '../domain/index/rows.js';
import type { SessionMetaPayload } from '../domain/rollout/kinds/sessionMeta.js';
import { codexReadsSessionMeta } from '../domain/rollout/kinds/sessionMeta.js';
import { apiSourceOfMeta, foldThreadMeta, readsThreadMeta, settingsChangeOf } from '../domain/thread/threadMeta.js';
import type { Batch } from './batch.js';
import type { Projection } from './projection.js';

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
    for (const k of OMITTED_META_KEYS) if (k in payload && codexRefusal('sessionMeta', { ...out, [k]: payload[k] }) !== undefined) out[k] = payload[k];
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
    ...(typeof meta.model_provider === 'string' ? { modelProvider: meta.model_provider } : {}),
    ...(meta.cli_version ? { cliVersion: meta.cli_version } : {}),
    ...(meta.cwd ? { cwd: meta.cwd } : {}),
    ...(git !== null && git !== undefined && typeof git === 'object' ? { git: git as Record<string, unknown> } : {}),
  };
};

/** One more quarantined line of a rollout: its row's count, mirrored in the sparse `quarantineCounts` table. */
const countInvalid = (b: Batch, rolloutId: string, row: { invalidLines: number }): void => {
  row.invalidLines += 1;
  b.put('quarantineCounts', [rolloutId], row.invalidLines);
};

export const threadsProjection: Projection = {
  name: 'threads',
  readsAsCodex: true,
  onLine: (b, ctx, seen) => {
    const row = b.edit('rollouts', [ctx.rolloutId]);
    if (!row) return;
    row.lines += 1;
    if (seen.undecodable) countInvalid(b, ctx.rolloutId, row);
    const ordinal = seen.pos.ordinal;
    if (ordinal !== null) {
      if (row.maxOrdinal !== null && ordinal <= row.maxOrdinal) row.repeatedOrdinals += 1;
      else row.maxOrdinal = ordinal;
    }
    row.firstLineTimestamp ??= seen.timestamp;
    if (seen.timestamp !== null) row.lastLineTimestamp = seen.timestamp;
  },
  apply: (b, ctx, ev, pos, timestamp) => {
    const R = ctx.rolloutId;
    if (ev.kind === 'sessionMeta') {
      if (pos.line !== 0) {
        const later = laterMetaOf(ev.payload, pos.byteOffset);
        const row = later === undefined ? undefined : b.edit('rollouts', [R]);
        // Only a meta of the file's own thread (a fork's file may embed its source's).
        if (row && later && ev.payload.id === (row.meta as { id?: unknown } | null)?.id) row.laterMetas = [...(row.laterMetas ?? []), later];
        return;
      }
      if (b.get('rollouts', [R]) !== undefined) return;
      const hb = ev.payload.history_base;
      const row: RolloutRow = {
        rolloutId: R,
        threadId: ctx.threadId,
        path: ctx.path,
        mode: ev.payload.history_mode === 'paginated' ? 'paginated' : 'legacy',
        meta: { ...slimMeta(ev.payload as Record<string, unknown>), ...(ctx.upcastFrom !== undefined ? { upcast_from: ctx.upcastFrom } : {}) },
        base: hb ? { rolloutId: hb.thread_id, endOrdinalExclusive: hb.end_ordinal_exclusive, endByteOffset: hb.end_byte_offset } : null,
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
      };
      b.put('rollouts', [R], row);
      if (row.base !== null) b.put('rolloutForks', [row.base.rolloutId, R], 0);
      return;
    }
    const fromResponses = ev.kind === 'responseItem' && ctx.itemsFromResponses === true;
    // A task_started line dates the thread even when serde refuses it (Codex's or ours): Codex's
    // state DB takes recency from the line (measured: a turn_id 1.5, fuzzer seed 20261128 path 30:0:0:1:1:1).
    const started = ev.kind === 'invalid' ? (ev.payloadType === 'task_started' ? (ev.readable ?? null) : undefined) : ev.kind === 'taskStarted' ? ev : undefined;
    if (started !== undefined) {
      // The last turn started in this file: Codex's recency, and the turn a later token count names.
      const row = b.edit('rollouts', [R]);
      if (row) {
        if (started?.kind === 'taskStarted') row.lastTurnId = started.payload.turn_id;
        row.lastTurnStartTimestamp = timestamp;
      }
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
    const hadPreview = row.preview !== null;
    const folded = foldThreadMeta({ preview: row.preview, model: row.model, reasoningEffort: row.reasoningEffort }, ev, fromResponses);
    row.model = folded.model;
    row.reasoningEffort = folded.reasoningEffort;
    if (!hadPreview && folded.preview !== null) {
      row.preview = folded.preview;
      row.previewByteOffset = pos.byteOffset;
    }
    const change = settingsChangeOf(ev);
    const last = row.settings[row.settings.length - 1];
    // A repeat changes nothing (its cwd and provider too: Codex's state DB keeps the last).
    if (
      change &&
      !(last && last.kind === change.kind && last.model === change.model && last.effort === change.effort && last.cwd === change.cwd && last.provider === change.provider)
    )
      row.settings = [...row.settings, { ...change, byteOffset: pos.byteOffset }];
  },
};
