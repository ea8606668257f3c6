import type { RolloutEvent } from '../rollout/event.js';
import { eventsOfResponseItem } from './responseMessage.js';
import { snakeToCamel } from './snakeToCamel.js';

/** What the Thread object needs from the whole logical history, besides its turns. */
export interface ThreadMetaState {
  preview: string | null;
  model: string | null;
  reasoningEffort: string | null;
}

export const emptyThreadMeta = (): ThreadMetaState => ({ preview: null, model: null, reasoningEffort: null });

const userText = (content: ReadonlyArray<Record<string, unknown>> | undefined): string =>
  (content ?? [])
    .filter((c) => c['type'] === 'text' && typeof c['text'] === 'string')
    .map((c) => c['text'] as string)
    .join('');

const settingsOf = (v: unknown): { model?: unknown; reasoning_effort?: unknown } | undefined => {
  if (v === null || typeof v !== 'object') return undefined;
  const cm = (v as { collaboration_mode?: unknown }).collaboration_mode;
  if (cm === null || typeof cm !== 'object') return undefined;
  const s = (cm as { settings?: unknown }).settings;
  return s !== null && typeof s === 'object' ? (s as { model?: unknown; reasoning_effort?: unknown }) : undefined;
};

/** A field of a settings object, if it is one. */
const fieldOf = (v: unknown, name: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[name] : undefined);

/**
 * A thread's settings (the `thread_settings` of a `thread_settings_applied` line) as a thread's
 * answer reports them (`thread/fork`: the settings the fork starts with).
 */
export const threadSettingsFields = (s: unknown) => ({
  model: fieldOf(s, 'model') ?? null,
  modelProvider: fieldOf(s, 'model_provider_id') ?? null,
  serviceTier: fieldOf(s, 'service_tier') ?? null,
  disabledPluginIds: fieldOf(s, 'disabled_plugin_ids') ?? [],
  cwd: fieldOf(s, 'cwd') ?? null,
  runtimeWorkspaceRoots: fieldOf(s, 'runtime_workspace_roots') ?? [],
  approvalPolicy: fieldOf(s, 'approval_policy') ?? null,
  approvalsReviewer: fieldOf(s, 'approvals_reviewer') ?? null,
  reasoningEffort: settingsOf(s)?.reasoning_effort ?? null,
});
export type ThreadSettingsFields = ReturnType<typeof threadSettingsFields>;

/**
 * What one settings line says about the thread's model and reasoning effort. A turn context
 * sets the effort (absent → none); thread settings change it only when they name one.
 */
export interface SettingsChange {
  readonly kind: 'turnContext' | 'threadSettings';
  readonly model: string | null;
  readonly effort: string | null;
}

export const settingsChangeOf = (ev: RolloutEvent): SettingsChange | undefined => {
  if (ev.kind === 'turnContext') {
    const effort = ev.payload.effort ?? settingsOf(ev.payload)?.reasoning_effort;
    return { kind: 'turnContext', model: typeof ev.payload.model === 'string' ? ev.payload.model : null, effort: typeof effort === 'string' ? effort : null };
  }
  if (ev.kind === 'threadSettingsApplied') {
    const ts = ev.payload.thread_settings as { model?: unknown } | undefined;
    const effort = settingsOf(ts)?.reasoning_effort;
    return { kind: 'threadSettings', model: typeof ts?.model === 'string' ? ts.model : null, effort: typeof effort === 'string' ? effort : null };
  }
  return undefined;
};

export const applySettingsChange = (s: { model: string | null; reasoningEffort: string | null }, c: SettingsChange): void => {
  if (c.model !== null) s.model = c.model;
  if (c.kind === 'turnContext' || c.effort !== null) s.reasoningEffort = c.effort;
};

export const foldThreadMeta = (s: ThreadMetaState, ev: RolloutEvent, itemsFromResponses = false): ThreadMetaState => {
  switch (ev.kind) {
    case 'itemCompleted':
      if (s.preview === null && ev.item?.type === 'UserMessage') s.preview = userText(ev.item.content);
      return s;
    case 'userMessage':
      if (s.preview === null) s.preview = ev.payload.message;
      return s;
    case 'responseItem':
      // Only early rollouts (no item events) take their preview from the model context.
      if (itemsFromResponses) for (const e of eventsOfResponseItem(ev.payload)) foldThreadMeta(s, e);
      return s;
    case 'turnContext':
    case 'threadSettingsApplied': {
      const change = settingsChangeOf(ev);
      if (change) applySettingsChange(s, change);
      return s;
    }
    default:
      return s;
  }
};

/** `session_meta.source` → API `source`: named sources in camelCase, sub-agents as `{subAgent}`. */
export const toApiSource = (source: unknown): unknown => {
  if (typeof source === 'string') {
    switch (source) {
      case 'vscode':
        return 'vscode';
      case 'mcp':
        return 'appServer';
      default:
        return snakeToCamel(source);
    }
  }
  if (source !== null && typeof source === 'object' && 'subagent' in source) {
    return { subAgent: (source as { subagent: unknown }).subagent };
  }
  return source ?? 'unknown';
};
