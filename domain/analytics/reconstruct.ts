import type { RolloutRow, TurnRow } from '../index/rows.js';
import type { StoredResponse } from '../tokens/selectResponses.js';
import type { Usage } from '../tokens/usage.js';
import { ZERO_USAGE, addUsage } from '../tokens/usage.js';
import type { PluginObservation } from '../plugins/rolloutObservations.js';
import type { PluginTelemetryMetadata } from '../plugins/telemetry.js';
import type { AnalyticsEvent } from './event.js';
import { pluginStateEvent, pluginUsedEvent } from './pluginEvents.js';
import type { ToolItemRow } from './toolItems.js';
import { toolItemEvent } from './toolItems.js';

/**
 * Analytics events reconstructed from rollouts (pure): the events Codex's analytics client sends,
 * as far as the history records them — `codex_thread_initialized` per thread (root files and
 * forks; a revision is the same thread), `codex_turn_event` per ended turn a file itself ran
 * (with its duration and the token usage of its counted responses), `codex_plugin_installed` per
 * cached plugin, and `codex_plugin_used` / `_enabled` / `_disabled` from the rollouts' plugin
 * facts, all carrying telemetry metadata built by the plugins manager, and the tool-item events
 * (`codex_command_execution_event`, `codex_file_change_event`, `codex_mcp_tool_call_event`, …) of
 * the items a file's `item_completed` lines hold (domain/analytics/toolItems.ts). Fields only a live process
 * knows (client transport, OS, timings inside a turn) are not invented: they are left out.
 * Order is deterministic: installed plugins by id, then thread by thread (by creation time), each
 * thread's files in order and each file's events in line order (as the file recorded them).
 */

export interface ReconstructInput {
  readonly rollouts: ReadonlyArray<RolloutRow>;
  /** Turns per rollout id, in file order. */
  readonly turns: ReadonlyMap<string, ReadonlyArray<TurnRow>>;
  /** Responses counted once (token audit selection). */
  readonly responses: ReadonlyArray<StoredResponse>;
  /** Plugin facts with the line that states them. */
  readonly pluginObservations: ReadonlyArray<{
    readonly rolloutId: string;
    readonly line: number;
    readonly seq: number;
    readonly observation: PluginObservation;
  }>;
  /** Installed plugins (by `name@marketplace`), metadata from the plugins manager. */
  readonly installedPlugins: ReadonlyArray<PluginTelemetryMetadata>;
  /** Metadata for every plugin key observed in rollouts (from the plugins manager). */
  readonly pluginMetadata: ReadonlyMap<string, PluginTelemetryMetadata>;
  /** Tool items of every rollout with their lines (the `toolItems` table). */
  readonly toolItems: ReadonlyArray<{ readonly rolloutId: string; readonly line: number; readonly row: ToolItemRow }>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const subagentOf = (source: unknown): string | null => {
  if (source === null || typeof source !== 'object' || !('subagent' in source)) return null;
  const s = (source as { subagent: unknown }).subagent;
  if (typeof s === 'string') return s;
  return s !== null && typeof s === 'object' ? (Object.keys(s)[0] ?? null) : null;
};

const threadFacts = (r: RolloutRow) => {
  const m = r.meta ?? {};
  const subagent = subagentOf(m['source']);
  return {
    sessionId: str(m['session_id']) ?? r.threadId,
    productClientId: str(m['originator']),
    threadSource: str(m['thread_source']) ?? (subagent !== null ? 'subagent' : 'user'),
    subagentSource: subagent,
    parentThreadId: str(m['parent_thread_id']),
    forkedFrom: str(m['forked_from_id']),
    provider: str(m['model_provider']),
    createdMs: Date.parse(str(m['timestamp']) ?? r.firstLineTimestamp ?? ''),
    cliVersion: str(m['cli_version']),
  };
};

interface Placed {
  /** Sort key: thread (creation time, id), file (first line time, id), line, sequence. */
  readonly at: string;
  readonly event: AnalyticsEvent;
}

const pad = (n: number) => String(n).padStart(12, '0');

const usageParams = (u: Usage | null) => ({
  input_tokens: u?.inputTokens ?? null,
  cached_input_tokens: u?.cachedInputTokens ?? null,
  cache_write_input_tokens: u?.cacheWriteInputTokens ?? null,
  output_tokens: u?.outputTokens ?? null,
  reasoning_output_tokens: u?.reasoningOutputTokens ?? null,
  total_tokens: u?.totalTokens ?? null,
});

type ThreadFacts = ReturnType<typeof threadFacts>;

/** What every event of a rollout is read against: its thread's turn usage and turn ids, and where its events sort. */
interface Placing {
  readonly byRollout: ReadonlyMap<string, RolloutRow>;
  /** Usage and model of counted responses, per (thread, turn). */
  readonly turnUsage: ReadonlyMap<string, { usage: Usage; model: string | null }>;
  /** Turn ids each thread's files hold: a legacy fork's copied turns belong to its source. */
  readonly turnIdsOfThread: ReadonlyMap<string, ReadonlySet<string>>;
  /** Where a rollout's events sort: its thread's creation, then the file's first line. */
  readonly fileKey: (r: RolloutRow) => string;
}

const turnUsageOf = (responses: ReadonlyArray<StoredResponse>): Placing['turnUsage'] => {
  const turnUsage = new Map<string, { usage: Usage; model: string | null }>();
  for (const r of responses) {
    const k = `${r.response.threadId}\u0000${r.response.turnId ?? ''}`;
    const prev = turnUsage.get(k) ?? { usage: ZERO_USAGE, model: null };
    turnUsage.set(k, { usage: addUsage(prev.usage, r.response.usage), model: r.response.model ?? prev.model });
  }
  return turnUsage;
};

const turnIdsOfThreads = (input: ReconstructInput): Placing['turnIdsOfThread'] => {
  const turnIdsOfThread = new Map<string, Set<string>>();
  for (const r of input.rollouts) {
    const ids = turnIdsOfThread.get(r.threadId) ?? new Set<string>();
    for (const t of input.turns.get(r.rolloutId) ?? []) ids.add(t.id);
    turnIdsOfThread.set(r.threadId, ids);
  }
  return turnIdsOfThread;
};

const fileKeyOf = (rollouts: ReadonlyArray<RolloutRow>): Placing['fileKey'] => {
  const threadCreated = new Map<string, number>();
  for (const r of rollouts) if (r.rolloutId === r.threadId) threadCreated.set(r.threadId, threadFacts(r).createdMs);
  return (r) => {
    const c = threadCreated.get(r.threadId);
    const t = c === undefined || Number.isNaN(c) ? '' : new Date(c).toISOString();
    return `${t}\u0000${r.threadId}\u0000${r.rolloutId === r.threadId ? '' : (r.firstLineTimestamp ?? '')}\u0000${r.rolloutId}`;
  };
};

/** The turn ids a legacy fork copied from its source (its lines are the source's history), else undefined. */
const copiedTurnsOf = (r: RolloutRow, f: ThreadFacts, placing: Placing): ReadonlySet<string> | undefined =>
  r.base === null && f.forkedFrom !== null ? placing.turnIdsOfThread.get(f.forkedFrom) : undefined;

const initializationModeOf = (f: ThreadFacts) => (f.forkedFrom !== null ? 'forked' : 'new');

const threadInitializedEvent = (r: RolloutRow, f: ThreadFacts): AnalyticsEvent => ({
  event_type: 'codex_thread_initialized',
  event_params: {
    thread_id: r.threadId,
    session_id: f.sessionId,
    product_client_id: f.productClientId,
    runtime: { codex_rs_version: f.cliVersion },
    model: r.model,
    ephemeral: false,
    thread_source: f.threadSource,
    initialization_mode: initializationModeOf(f),
    subagent_source: f.subagentSource,
    parent_thread_id: f.parentThreadId,
    forked_from_thread_id: f.forkedFrom,
    created_at: Number.isNaN(f.createdMs) ? null : Math.floor(f.createdMs / 1000),
  },
});

const turnEvent = (
  r: RolloutRow,
  f: ThreadFacts,
  t: TurnRow,
  u: { usage: Usage; model: string | null } | null,
  isFirst: boolean,
): AnalyticsEvent => ({
  event_type: 'codex_turn_event',
  event_params: {
    thread_id: r.threadId,
    session_id: f.sessionId,
    turn_id: t.id,
    root_turn_id: t.rootTurnId,
    product_client_id: f.productClientId,
    model: u?.model ?? r.model,
    model_provider: f.provider,
    thread_source: f.threadSource,
    initialization_mode: initializationModeOf(f),
    subagent_source: f.subagentSource,
    parent_thread_id: f.parentThreadId,
    is_first_turn: isFirst,
    status: t.status,
    turn_error: t.error?.codexErrorInfo ?? null,
    ...usageParams(u?.usage ?? null),
    duration_ms: t.durationMs,
    started_at: t.startedAt,
    completed_at: t.completedAt,
  },
});

/** Each thread's `codex_thread_initialized` and each ended turn a file itself ran, file by file in sort order. */
const threadAndTurnEvents = (input: ReconstructInput, placing: Placing): Placed[] => {
  const { fileKey } = placing;
  const placed: Placed[] = [];
  const rollouts = [...input.rollouts].sort((a, b) => (fileKey(a) < fileKey(b) ? -1 : fileKey(a) > fileKey(b) ? 1 : 0));
  const firstTurnSeen = new Set<string>();
  for (const r of rollouts) {
    const f = threadFacts(r);
    const file = fileKey(r);
    if (r.rolloutId === r.threadId)
      placed.push({ at: `${file}\u0000${pad(0)}\u0000${pad(0)}`, event: threadInitializedEvent(r, f) });
    const copiedFrom = copiedTurnsOf(r, f, placing);
    for (const t of input.turns.get(r.rolloutId) ?? []) {
      if (t.status === 'inProgress' || copiedFrom?.has(t.id)) continue;
      const u = placing.turnUsage.get(`${r.threadId}\u0000${t.id}`) ?? null;
      const isFirst = !firstTurnSeen.has(r.threadId) && r.rolloutId === r.threadId;
      firstTurnSeen.add(r.threadId);
      placed.push({
        at: `${file}\u0000${pad((t.end ?? t.anchor)?.line ?? 0)}\u0000${pad(999)}`,
        event: turnEvent(r, f, t, u, isFirst),
      });
    }
  }
  return placed;
};

const toolItemEvents = (input: ReconstructInput, placing: Placing): Placed[] => {
  const placed: Placed[] = [];
  for (const { rolloutId, line, row } of input.toolItems) {
    const r = placing.byRollout.get(rolloutId);
    if (!r) continue;
    const f = threadFacts(r);
    // A legacy fork's copied lines are its source's history: reported with the source.
    if (copiedTurnsOf(r, f, placing)?.has(row.turnId)) continue;
    const thread = {
      threadId: r.threadId,
      threadSource: f.threadSource,
      subagentSource: f.subagentSource,
      parentThreadId: f.parentThreadId,
      codexRsVersion: f.cliVersion,
    };
    placed.push({ at: `${placing.fileKey(r)}\u0000${pad(line)}\u0000${pad(0)}`, event: toolItemEvent(row, thread) });
  }
  return placed;
};

const pluginObservationEvents = (input: ReconstructInput, placing: Placing): Placed[] => {
  const placed: Placed[] = [];
  for (const { rolloutId, line, seq, observation: o } of input.pluginObservations) {
    const m = input.pluginMetadata.get(o.pluginKey);
    const r = placing.byRollout.get(rolloutId);
    if (!m || !r) continue;
    const product = threadFacts(r).productClientId;
    const event =
      o.kind === 'used'
        ? pluginUsedEvent(m, { threadId: o.threadId, turnId: o.turnId, modelSlug: o.model }, product)
        : pluginStateEvent(o.kind, m, product);
    placed.push({ at: `${placing.fileKey(r)}\u0000${pad(line)}\u0000${pad(seq)}`, event });
  }
  return placed;
};

export const reconstructAnalyticsEvents = (input: ReconstructInput): AnalyticsEvent[] => {
  const placing: Placing = {
    byRollout: new Map(input.rollouts.map((r) => [r.rolloutId, r])),
    turnUsage: turnUsageOf(input.responses),
    turnIdsOfThread: turnIdsOfThreads(input),
    fileKey: fileKeyOf(input.rollouts),
  };
  // Pushed in this order before the (stable) sort: events of one key keep it.
  const placed = [
    ...threadAndTurnEvents(input, placing),
    ...toolItemEvents(input, placing),
    ...pluginObservationEvents(input, placing),
  ];
  const installed = [...input.installedPlugins]
    .map((m) => pluginStateEvent('installed', m, null))
    .sort((a, b) => (String(a.event_params['plugin_id']) < String(b.event_params['plugin_id']) ? -1 : 1));
  return [...installed, ...placed.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((p) => p.event)];
};

/** Payloads of at most `size` events, in order (Codex posts `{events: [...]}`). */
export const batchEvents = (
  events: ReadonlyArray<AnalyticsEvent>,
  size: number,
): Array<{ events: AnalyticsEvent[] }> => {
  const out: Array<{ events: AnalyticsEvent[] }> = [];
  for (let i = 0; i < events.length; i += size) out.push({ events: events.slice(i, i + size) });
  return out;
};
