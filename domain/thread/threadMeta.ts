import type { RolloutEvent } from '../rollout/event.js';
import { codexReadsSessionMeta } from '../rollout/kinds/sessionMeta.js';
import { codexReadsThreadSettings, codexReadsTurnContext, isReasoningEffort } from '../rollout/kinds/turnContext.js';
import { eventsOfResponseItem } from './responseMessage.js';
import { snakeToCamel } from './snakeToCamel.js';
import { stripUserMessagePrefix } from '../search/conversationText.js';

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

/** A preview, or null (still none) for an empty one. */
const nonEmpty = (preview: string): string | null => (preview === '' ? null : preview);

const someOf = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/**
 * A user message Codex's head scan previews as `[Image]`: no text once its request prefix is
 * stripped, and images (codex-rs rollout/src/list.rs `event_msg_preview`), where its state DB's
 * preview passes it over.
 */
export const headPreviewIsImage = (payload: { readonly message: string } & Record<string, unknown>): boolean =>
  stripUserMessagePrefix(payload.message) === '' && (someOf(payload['images']) || someOf(payload['local_images']));

const settingsOf = (v: unknown): { model?: unknown; reasoning_effort?: unknown } | undefined => {
  if (v === null || typeof v !== 'object') return undefined;
  const cm = (v as { collaboration_mode?: unknown }).collaboration_mode;
  if (cm === null || typeof cm !== 'object') return undefined;
  const s = (cm as { settings?: unknown }).settings;
  return s !== null && typeof s === 'object' ? (s as { model?: unknown; reasoning_effort?: unknown }) : undefined;
};

/** A field of a settings object, if it is one. */
const fieldOf = (v: unknown, name: string): unknown =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[name] : undefined;

/**
 * Codex's legacy `SandboxPolicy` (v2 shape) for the `permission_profile` a settings line records,
 * as Codex derives one from the other: no profile is Codex's default profile (managed, nothing
 * writable, network restricted), which is read-only.
 */
export type SandboxPolicy =
  | { type: 'dangerFullAccess' }
  | { type: 'readOnly'; networkAccess: boolean }
  | { type: 'externalSandbox'; networkAccess: 'restricted' | 'enabled' }
  | {
      type: 'workspaceWrite';
      writableRoots: string[];
      networkAccess: boolean;
      excludeTmpdirEnvVar: boolean;
      excludeSlashTmp: boolean;
    };

export const sandboxPolicyOf = (profile: unknown): SandboxPolicy => {
  const type = fieldOf(profile, 'type');
  const networkEnabled = fieldOf(profile, 'network') === 'enabled';
  if (type === 'disabled') return { type: 'dangerFullAccess' };
  if (type === 'external') return { type: 'externalSandbox', networkAccess: networkEnabled ? 'enabled' : 'restricted' };
  const fileSystem = fieldOf(profile, 'file_system');
  if (type === 'managed' && fieldOf(fileSystem, 'type') === 'unrestricted') return { type: 'dangerFullAccess' };
  const entries = fieldOf(fileSystem, 'entries');
  const writes = Array.isArray(entries) && entries.some((e) => fieldOf(e, 'access') === 'write');
  return writes
    ? {
        type: 'workspaceWrite',
        writableRoots: [],
        networkAccess: networkEnabled,
        excludeTmpdirEnvVar: false,
        excludeSlashTmp: false,
      }
    : { type: 'readOnly', networkAccess: networkEnabled };
};

/** What the settings leave unsaid, from the thread itself (its session's cwd, model and provider). */
export interface ThreadSettingsDefaults {
  readonly cwd: string;
  readonly model: string | null;
  readonly modelProvider: string | null;
}

/**
 * A thread's settings (the `thread_settings` of a `thread_settings_applied` line) as the answer
 * that loads a thread reports them (`thread/fork`: the settings the fork starts with), in Codex's
 * key order. Codex fills them from its live session; without one, what no line records is
 * Codex's default (approval `on-request`, reviewer `user`, provider `openai`, no AGENTS.md
 * sources, no named permission profile), so every field the schema requires is present.
 */
export const threadSettingsFields = (s: unknown, thread: ThreadSettingsDefaults) => ({
  model: (fieldOf(s, 'model') as string | undefined) ?? thread.model ?? '',
  modelProvider: (fieldOf(s, 'model_provider_id') as string | undefined) ?? thread.modelProvider ?? 'openai',
  serviceTier: fieldOf(s, 'service_tier') ?? null,
  disabledPluginIds: fieldOf(s, 'disabled_plugin_ids') ?? [],
  cwd: fieldOf(s, 'cwd') ?? thread.cwd,
  runtimeWorkspaceRoots: fieldOf(s, 'runtime_workspace_roots') ?? [],
  instructionSources: [] as string[],
  approvalPolicy: fieldOf(s, 'approval_policy') ?? 'on-request',
  approvalsReviewer: fieldOf(s, 'approvals_reviewer') ?? 'user',
  sandbox: sandboxPolicyOf(fieldOf(s, 'permission_profile')),
  activePermissionProfile: null,
  reasoningEffort: settingsOf(s)?.reasoning_effort ?? null,
  multiAgentMode: 'explicitRequestOnly' as const,
});
export type ThreadSettingsFields = ReturnType<typeof threadSettingsFields>;

/**
 * What one settings line says about the thread's model and reasoning effort. Each sets the
 * effort (absent → none: `effortOf`); the model only when it names one.
 */
export interface SettingsChange {
  readonly kind: 'turnContext' | 'threadSettings';
  readonly model: string | null;
  readonly effort: string | null;
  /**
   * The line's `cwd`. A thread settings line's: Codex's state DB keeps the last one as the thread's
   * (`ThreadRow.stateDb`); a turn context's: the thread's only while it has none (codex-rs
   * `state/src/extract.rs` `apply_turn_context`).
   */
  readonly cwd?: string;
  /** A thread settings line's `model_provider_id`: Codex's state DB keeps it as the thread's provider ("" the default). */
  readonly provider?: string;
}

/**
 * A settings line's effort, as Codex's state DB keeps it (codex-rs state/src/extract.rs
 * `apply_turn_context`: `reasoning_effort = turn_ctx.effort`; a thread settings line's
 * `reasoning_effort` likewise): the line's own field, whatever name it holds (`isReasoningEffort`),
 * none when it has none, never its collaboration mode's. Measured on 0.169.0 and 0.171.0
 * (settingsEffort.compat; fuzzer `--replay 1108753327:248:0:2:1:1:3:2:5:6`).
 */
const effortOf = (v: unknown): string | null => (isReasoningEffort(v) ? v : null);

export const settingsChangeOf = (ev: RolloutEvent): SettingsChange | undefined => {
  if (ev.kind === 'turnContext') {
    if (!codexReadsTurnContext(ev.payload)) return undefined;
    return {
      kind: 'turnContext',
      model: typeof ev.payload.model === 'string' ? ev.payload.model : null,
      effort: effortOf(ev.payload.effort),
      ...(typeof ev.payload.cwd === 'string' ? { cwd: ev.payload.cwd } : {}),
    };
  }
  if (ev.kind === 'threadSettingsApplied') {
    if (!codexReadsThreadSettings(ev.payload.thread_settings)) return undefined;
    const ts = ev.payload.thread_settings as
      { model?: unknown; cwd?: unknown; model_provider_id?: unknown; reasoning_effort?: unknown } | undefined;
    return {
      kind: 'threadSettings',
      model: typeof ts?.model === 'string' ? ts.model : null,
      effort: effortOf(ts?.reasoning_effort),
      ...(typeof ts?.cwd === 'string' ? { cwd: ts.cwd } : {}),
      ...(typeof ts?.model_provider_id === 'string' ? { provider: ts.model_provider_id } : {}),
    };
  }
  return undefined;
};

export const applySettingsChange = (
  s: { model: string | null; reasoningEffort: string | null },
  c: SettingsChange,
): void => {
  if (c.model !== null) s.model = c.model;
  // Each settings line sets the effort, none included (measured: a thread settings line without
  // `reasoning_effort` after a turn context's answers none).
  s.reasoningEffort = c.effort;
};

type EventOf<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;

/** Why a kind of line tells nothing of a thread's preview, model or effort. */
type NoMeta = { readonly noMeta: string };
const NOT_META: NoMeta = {
  noMeta: 'neither the first user message nor a settings line: the preview, model and effort come from those',
};
const META_ELSEWHERE: NoMeta = {
  noMeta: 'other facts of the thread (session meta: the threads projection; token usage: domain/tokens)',
};

/**
 * What each kind of line does to a thread's preview, model and effort, or why nothing (a kind
 * added to `RolloutEvent` is a compile error here until decided).
 */
export const THREAD_META_RULES: {
  readonly [K in RolloutEvent['kind']]:
    ((s: ThreadMetaState, ev: EventOf<K>, itemsFromResponses: boolean) => void) | NoMeta;
} = {
  // The preview is the first user message as Codex's state DB keeps it: a VS Code message's request
  // part, trimmed (measured: test/compat/previewAndGit.compat.spec.ts); one that is empty so is
  // passed over for the next (state/src/extract.rs `user_message_preview`: None for it; measured on
  // 0.169.0 by the differential fuzzer).
  itemCompleted: (s, ev) => {
    if (s.preview === null && ev.item?.type === 'UserMessage')
      s.preview = nonEmpty(stripUserMessagePrefix(userText(ev.item.content)));
  },
  userMessage: (s, ev) => {
    if (s.preview === null) s.preview = nonEmpty(stripUserMessagePrefix(ev.payload.message));
  },
  // Only early rollouts (no item events) take their preview from the model context.
  responseItem: (s, ev, itemsFromResponses) => {
    if (itemsFromResponses) for (const e of eventsOfResponseItem(ev.payload)) foldThreadMeta(s, e);
  },
  turnContext: (s, ev) => {
    const change = settingsChangeOf(ev);
    if (change) applySettingsChange(s, change);
  },
  threadSettingsApplied: (s, ev) => {
    const change = settingsChangeOf(ev);
    if (change) applySettingsChange(s, change);
  },
  sessionMeta: META_ELSEWHERE,
  tokenUsageRecord: META_ELSEWHERE,
  tokenCount: META_ELSEWHERE,
  worldState: NOT_META,
  compacted: NOT_META,
  taskStarted: NOT_META,
  taskComplete: NOT_META,
  turnAborted: NOT_META,
  threadRolledBack: NOT_META,
  error: NOT_META,
  agentMessage: NOT_META,
  agentReasoning: NOT_META,
  agentReasoningRawContent: NOT_META,
  contextCompacted: NOT_META,
  enteredReviewMode: NOT_META,
  exitedReviewMode: NOT_META,
  patchApplyEnd: NOT_META,
  mcpToolCallEnd: NOT_META,
  webSearchEnd: NOT_META,
  subAgentActivity: NOT_META,
  imageGenerationEnd: NOT_META,
  other: { noMeta: 'a kind the decoder does not interpret' },
  invalid: { noMeta: 'a line Codex cannot read' },
};

/** Whether a kind of line can change a thread's preview, model or effort (a response item: only in early rollouts). */
export const readsThreadMeta = (kind: RolloutEvent['kind']): boolean => typeof THREAD_META_RULES[kind] === 'function';

export const foldThreadMeta = (s: ThreadMetaState, ev: RolloutEvent, itemsFromResponses = false): ThreadMetaState => {
  const rule = THREAD_META_RULES[ev.kind];
  if (typeof rule === 'function')
    (rule as (s: ThreadMetaState, ev: RolloutEvent, itemsFromResponses: boolean) => void)(s, ev, itemsFromResponses);
  return s;
};

/**
 * A thread's API `source` from its file's `session_meta` (the thread row's and the token report's
 * client alike). Absent from a meta Codex reads (0.32–0.43 wrote none) it is `vscode`:
 * `SessionMeta.source` is `#[serde(default)]` and `SessionSource`'s default variant is `VSCode`
 * (codex-rs `protocol/src/protocol.rs`). Absent from a meta Codex cannot read (an early file's,
 * `codexReadsSessionMeta`: Codex neither lists nor reads it) it is `unknown`: we list the thread,
 * but only among the `unknown` sources, so the default list stays Codex's.
 */
export const apiSourceOfMeta = (meta: Readonly<Record<string, unknown>>): unknown =>
  meta['source'] === undefined && !codexReadsSessionMeta(meta) ? 'unknown' : toApiSource(meta['source']);

/**
 * A spawned sub-agent's source, nickname and role as Codex answers any thread of it (its lists, from
 * its file scan or its state DB, and its reads alike): the meta's source decoded into its
 * `SubAgentSource::ThreadSpawn` and written back (codex-rs `protocol/src/protocol.rs`: its fields in
 * that order, the role also read as `agent_type`, one it has not dropped, one the file lacks null),
 * the nickname and role the thread's own (the meta's `agent_nickname`, `agent_role`) before the
 * source's (app-server `with_thread_spawn_agent_metadata`: `agent_nickname.or(existing)`), and the
 * thread's nickname and role then the source's (`SessionSource::get_nickname`, `get_agent_role`).
 * Measured on 0.169.0: threadReadSummary.compat. Undefined for another source.
 */
export const spawnAsAnswered = (
  source: unknown,
  /** The thread row's: the meta's own fields, a spawned sub-agent's only (buildThread.ts). */
  nickname: string | null,
  role: string | null,
):
  | { readonly source: unknown; readonly agentNickname: string | null; readonly agentRole: string | null }
  | undefined => {
  const spawn = (source as { subAgent?: { thread_spawn?: unknown } } | null)?.subAgent?.thread_spawn;
  if (spawn === null || typeof spawn !== 'object') return undefined;
  const s = spawn as Readonly<Record<string, unknown>>;
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const agentNickname = nickname ?? text(s['agent_nickname']);
  const agentRole = role ?? text(s['agent_role'] ?? s['agent_type']);
  return {
    source: {
      subAgent: {
        thread_spawn: {
          parent_thread_id: s['parent_thread_id'],
          depth: s['depth'],
          agent_path: s['agent_path'] ?? null,
          agent_nickname: agentNickname,
          agent_role: agentRole,
        },
      },
    },
    agentNickname,
    agentRole,
  };
};

/** The API's named sources (app-server-protocol v2 `SessionSource`'s unit variants). */
const API_NAMED_SOURCES: ReadonlySet<string> = new Set(['cli', 'vscode', 'exec', 'appServer', 'unknown']);

/**
 * `session_meta.source` → API `source`: named sources in camelCase, sub-agents as `{subAgent}`;
 * absent, `vscode`. A name Codex does not know is `unknown`: `SessionSource`'s `#[serde(other)]`
 * variant (codex-rs `protocol/src/protocol.rs`; measured on 0.169.0 by the differential fuzzer).
 */
const toApiSource = (source: unknown): unknown => {
  if (source === undefined) return 'vscode';
  if (typeof source === 'string') {
    switch (source) {
      case 'vscode':
        return 'vscode';
      case 'mcp':
        return 'appServer';
      default: {
        const named = snakeToCamel(source);
        return API_NAMED_SOURCES.has(named) ? named : 'unknown';
      }
    }
  }
  if (source !== null && typeof source === 'object' && 'subagent' in source) {
    return { subAgent: (source as { subagent: unknown }).subagent };
  }
  return source ?? 'unknown';
};
