import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { RolloutEvent } from '../rollout/event.js';
import { decodeShape } from '../decodeShape.js';

/**
 * Plugin facts a rollout file records (pure): a plugin *used* (a user message that mentions it:
 * a `mention` input whose path is `plugin://<name>@<marketplace>`, or a linked `[@name](plugin://…)`
 * in the text — how Codex finds the plugins to inject and to report as used), and plugins
 * *enabled/disabled* (the `disabled_plugin_ids` of `turn_context` / `thread_settings_applied`
 * changing within the file; the first value a file states is its starting point, so a fork or
 * revision restating its base's settings reports nothing). Codex reports a plugin once per turn.
 */

export interface PluginFileState {
  readonly threadId: string;
  readonly turnId: string | null;
  readonly model: string | null;
  /** Disabled plugin ids last stated in the file; null before any. */
  readonly disabled: ReadonlyArray<string> | null;
  /** Plugins already reported used in the open turn. */
  readonly usedInTurn: ReadonlyArray<string>;
}

export interface PluginObservation {
  readonly kind: 'used' | 'enabled' | 'disabled';
  /** `name@marketplace`, as in config and the plugin cache. */
  readonly pluginKey: string;
  readonly threadId: string;
  readonly turnId: string | null;
  readonly model: string | null;
  readonly timestamp: string | null;
}

const PLUGIN_LINK = /\]\((plugin:\/\/[^)\s]+)\)/g;
const PLUGIN_PREFIX = 'plugin://';

const keyOfPath = (path: string): string | null => {
  if (!path.startsWith(PLUGIN_PREFIX)) return null;
  const key = path.slice(PLUGIN_PREFIX.length);
  return key === '' ? null : key;
};

/** Plugin keys a user message mentions, in order of first mention. */
export const mentionedPlugins = (
  content: ReadonlyArray<Record<string, unknown>> | undefined,
  text: string | null,
): string[] => {
  const out: string[] = [];
  const add = (k: string | null) => {
    if (k !== null && !out.includes(k)) out.push(k);
  };
  const scan = (s: string) => {
    for (const m of s.matchAll(PLUGIN_LINK)) add(keyOfPath(m[1]!));
  };
  for (const c of content ?? []) {
    if (c['type'] === 'mention' && typeof c['path'] === 'string') add(keyOfPath(c['path']));
    if (c['type'] === 'text' && typeof c['text'] === 'string') scan(c['text']);
  }
  if (text !== null) scan(text);
  return out;
};

const DisabledIds = t.type({ disabled_plugin_ids: t.array(t.string) });
const disabledOf = (v: unknown): ReadonlyArray<string> | null => {
  const d = decodeShape(DisabledIds, v);
  return E.isRight(d) ? [...d.right.disabled_plugin_ids].sort() : null;
};

export const pluginFileStateOf = (threadId: string): PluginFileState => ({
  threadId,
  turnId: null,
  model: null,
  disabled: null,
  usedInTurn: [],
});

const observe = (
  s: PluginFileState,
  kind: PluginObservation['kind'],
  pluginKey: string,
  timestamp: string | null,
): PluginObservation => ({
  kind,
  pluginKey,
  threadId: s.threadId,
  turnId: s.turnId,
  model: s.model,
  timestamp,
});

const settingsChange = (s: PluginFileState, next: ReadonlyArray<string> | null, timestamp: string | null) => {
  if (next === null) return { state: s, observations: [] };
  if (s.disabled === null) return { state: { ...s, disabled: next }, observations: [] };
  const before = new Set(s.disabled);
  const after = new Set(next);
  const observations = [
    ...next.filter((k) => !before.has(k)).map((k) => observe(s, 'disabled', k, timestamp)),
    ...s.disabled.filter((k) => !after.has(k)).map((k) => observe(s, 'enabled', k, timestamp)),
  ];
  return { state: { ...s, disabled: next }, observations };
};

const used = (s: PluginFileState, keys: ReadonlyArray<string>, timestamp: string | null) => {
  const fresh = keys.filter((k) => !s.usedInTurn.includes(k));
  return {
    state: { ...s, usedInTurn: [...s.usedInTurn, ...fresh] },
    observations: fresh.map((k) => observe(s, 'used', k, timestamp)),
  };
};

type EventOf<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;
type PluginFold = { readonly state: PluginFileState; readonly observations: ReadonlyArray<PluginObservation> };

/** Why a kind of line states no plugin fact. */
type NoPluginFact = { readonly noPluginFact: string };
const NO_PLUGIN_FACT: NoPluginFact = {
  noPluginFact:
    'plugins are used by a user message naming them and set by the turn and thread settings: no other line tells',
};

/**
 * What each kind of line does to a file's plugin state and the facts it states, or why nothing (a
 * kind added to `RolloutEvent` is a compile error here until decided).
 */
export const PLUGIN_EVENT_RULES: {
  readonly [K in RolloutEvent['kind']]:
    ((s: PluginFileState, ev: EventOf<K>, timestamp: string | null) => PluginFold) | NoPluginFact;
} = {
  taskStarted: (s, ev) => ({ state: { ...s, turnId: ev.payload.turn_id, usedInTurn: [] }, observations: [] }),
  turnContext: (s, ev, timestamp) => {
    const turnId = typeof ev.payload.turn_id === 'string' ? ev.payload.turn_id : s.turnId;
    const model = typeof ev.payload.model === 'string' ? ev.payload.model : s.model;
    const base = turnId === s.turnId ? { ...s, model } : { ...s, turnId, model, usedInTurn: [] };
    return settingsChange(base, disabledOf(ev.payload), timestamp);
  },
  threadSettingsApplied: (s, ev, timestamp) => {
    const ts = ev.payload.thread_settings as { model?: unknown } | undefined;
    const model = typeof ts?.model === 'string' ? ts.model : s.model;
    return settingsChange({ ...s, model }, disabledOf(ev.payload.thread_settings), timestamp);
  },
  itemCompleted: (s, ev, timestamp) => {
    if (ev.item?.type !== 'UserMessage') return { state: s, observations: [] };
    return used(s, mentionedPlugins(ev.item.content, null), timestamp);
  },
  userMessage: (s, ev, timestamp) => used(s, mentionedPlugins(undefined, ev.payload.message), timestamp),
  sessionMeta: NO_PLUGIN_FACT,
  worldState: NO_PLUGIN_FACT,
  tokenUsageRecord: NO_PLUGIN_FACT,
  compacted: NO_PLUGIN_FACT,
  responseItem: { noPluginFact: 'model context: the user message events carry what the user typed' },
  taskComplete: NO_PLUGIN_FACT,
  turnAborted: NO_PLUGIN_FACT,
  threadRolledBack: NO_PLUGIN_FACT,
  tokenCount: NO_PLUGIN_FACT,
  agentMessage: NO_PLUGIN_FACT,
  agentReasoning: NO_PLUGIN_FACT,
  agentReasoningRawContent: NO_PLUGIN_FACT,
  contextCompacted: NO_PLUGIN_FACT,
  enteredReviewMode: NO_PLUGIN_FACT,
  exitedReviewMode: NO_PLUGIN_FACT,
  error: NO_PLUGIN_FACT,
  patchApplyEnd: NO_PLUGIN_FACT,
  mcpToolCallEnd: NO_PLUGIN_FACT,
  webSearchEnd: NO_PLUGIN_FACT,
  subAgentActivity: NO_PLUGIN_FACT,
  imageGenerationEnd: NO_PLUGIN_FACT,
  other: { noPluginFact: 'a kind the decoder does not interpret' },
  invalid: { noPluginFact: 'a line Codex cannot read' },
};

/** Fold one event of the file: next state and the plugin facts it states. */
export const foldPluginEvent = (s: PluginFileState, ev: RolloutEvent, timestamp: string | null): PluginFold => {
  const rule = PLUGIN_EVENT_RULES[ev.kind];
  return typeof rule === 'function'
    ? (rule as (s: PluginFileState, ev: RolloutEvent, timestamp: string | null) => PluginFold)(s, ev, timestamp)
    : { state: s, observations: [] };
};
