import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { DecodedLineKind } from './lineKinds.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { decodeShape } from '../decodeShape.js';
import { serdeUnitMapName } from '../serdeUnitEnum.js';
import { i32, i64, names, nonZeroUsize, onlyFields, opt, struct, u32, u64, usize, Uuid } from './serdeTypes.js';
import {
  codexReadsCollaborationMode,
  isReasoningEffort,
  codexReadsPathWithoutBase,
  codexReadsThreadSettings,
  codexReadsTurnContext,
} from './kinds/turnContext.js';

/*
 * What Codex 0.169's serde requires of each rollout line variant it reads back (issue 69, lines
 * Codex cannot decode). Codex decodes a rollout line by line and skips a line whose payload does
 * not decode (codex-rs `rollout/src/recorder.rs` `load_rollout_items`: a parse error is counted and
 * the line left out), so such a line sets nothing, makes no item and takes no place in a legacy
 * file's implicit turn numbers. Our own codecs (`kinds/*.ts`) read more than that (the token and
 * search folds read what they can); these say what Codex's types say, field by field: a required
 * field (no `#[serde(default)]`, not an `Option`), an `Option` (absent or null is `None`), an
 * integer (`i64` refuses 1.5, `u32` a negative or 2^53), an enum without `#[serde(other)]` (an
 * unknown name is refused), a struct (an object; `{}` only when none of its fields is required).
 * Every rule was measured on the 0.169.0 binary, each census field of each variant set to each of
 * the fuzzer's edge values (test/fuzz/editMatrix.ts; the compat spec undecodableLines.compat).
 * Types: codex-rs `protocol/src/protocol.rs` (events, `TurnContextItem`, `SessionMeta`),
 * `protocol/src/items.rs`, `protocol/src/config_types.rs`, `protocol/src/models.rs` and
 * `protocol/src/permissions.rs` (permission profiles, file system policies),
 * `protocol/src/memory_citation.rs`. A nested struct is modelled to the depth the measured cells
 * and undecodableLines.compat reach; below that (a file system entry's path) it is read as any object.
 */

/** `AbsolutePathBuf` read without a base (codex-rs `utils/absolute-path`): absolute on the host. */
const AbsolutePath = t.refinement(t.string, codexReadsPathWithoutBase, 'AbsolutePathBuf');

/** `ModeKind` (config_types.rs), its aliases included. */
const ModeKind = names('plan', 'default', 'code', 'pair_programming', 'execute', 'custom');
/** `TurnAbortReason` (protocol.rs, snake_case). */
const TurnAbortReason = names('interrupted', 'replaced', 'review_ended', 'budget_limited');
/** `MessagePhase` (models.rs, snake_case): Codex 0.169.0 writes all three (the rich scenario's phases thread) and reads them back. */
const MessagePhase = names('commentary', 'partial_answer', 'final_answer');
/**
 * `AskForApproval` (protocol.rs, kebab-case; `granular` a newtype variant of
 * `GranularApprovalConfig`: `sandbox_approval`, `rules` and `mcp_elicitations` required,
 * `skill_approval` and `request_permissions` defaulted).
 */
const AskForApproval = t.union([
  names('untrusted', 'on-failure', 'on-request', 'never'),
  t.type({
    granular: struct(
      { sandbox_approval: t.boolean, rules: t.boolean, mcp_elicitations: t.boolean },
      { skill_approval: t.boolean, request_permissions: t.boolean },
    ),
  }),
]);
/** `ApprovalsReviewer` (config_types.rs). */
const ApprovalsReviewer = names('user', 'guardian_subagent', 'auto_review');
/** `ReasoningSummary` (config_types.rs, lowercase). */
const ReasoningSummary = names('auto', 'concise', 'detailed', 'none');
/** `MultiAgentVersion` (protocol.rs, snake_case). */
const MultiAgentVersion = names('disabled', 'v1', 'v2');

/**
 * `MemoryCitation` and `MemoryCitationEntry` (codex-rs `protocol/src/memory_citation.rs`,
 * `rename_all = "camelCase"`, no `#[serde(default)]`): every field required, so `{}` or the
 * app-server's `threadIds` in place of `rolloutIds` is refused and Codex drops the message
 * (measured: undecodableLines.compat). An agent message event and item hold the same type.
 */
const MemoryCitationEntry = struct({ path: t.string, lineStart: u32, lineEnd: u32, note: t.string });
const MemoryCitation = struct({ entries: t.array(MemoryCitationEntry), rolloutIds: t.array(t.string) });

/** `NetworkSandboxPolicy` (permissions.rs, kebab-case). */
const NetworkSandboxPolicy = names('restricted', 'enabled');
/** `FileSystemAccessMode` (permissions.rs, lowercase; `none` an alias of `deny`). */
const FileSystemAccessMode = names('read', 'write', 'deny', 'none');
/** `RawFileSystemSandboxEntry` (permissions.rs): its path (a `type`-tagged `RawFileSystemPath`) and access required. */
const FileSystemSandboxEntry = struct(
  { path: t.UnknownRecord, access: FileSystemAccessMode },
  { missing_path_behavior: opt(names('skip')) },
);
/**
 * `FileSystemSandboxPolicy` as rollouts hold it, `RawFileSystemSandboxPolicy` (permissions.rs):
 * `kind` required (`FileSystemSandboxKind`, kebab-case), `entries` a defaulted `Vec` (null refused).
 */
const FileSystemSandboxPolicy = struct(
  { kind: names('restricted', 'unrestricted', 'external-sandbox') },
  { glob_scan_max_depth: opt(usize), entries: t.array(FileSystemSandboxEntry) },
);
/** `SerializedManagedFileSystemPermissions` (models.rs, tagged by `type`, snake_case). */
const ManagedFileSystemPermissions = t.union([
  struct(
    { type: t.literal('restricted'), entries: t.array(FileSystemSandboxEntry) },
    { glob_scan_max_depth: opt(nonZeroUsize) },
  ),
  t.type({ type: t.literal('unrestricted') }),
]);
/**
 * `PermissionProfile` (codex-rs `protocol/src/models.rs`): deserialized as the untagged
 * `PermissionProfileDe`, first `TaggedPermissionProfile` (tagged by `type`: `managed` with its file
 * system and network, `disabled`, `external` with its network), then `LegacyPermissionProfile`,
 * the pre-tagged shape (`#[serde(deny_unknown_fields)]`, `network` and `file_system` both
 * `Option`s). So `{}` reads (a legacy profile, measured) and `{"type":"unknown_variant_x"}` is
 * refused (no tag known, and `type` is no legacy field).
 */
const PermissionProfile = t.union([
  t.type({ type: t.literal('managed'), file_system: ManagedFileSystemPermissions, network: NetworkSandboxPolicy }),
  t.type({ type: t.literal('disabled') }),
  t.type({ type: t.literal('external'), network: NetworkSandboxPolicy }),
  onlyFields(
    // `NetworkPermissions` (`enabled: Option<bool>`); `FileSystemPermissions` (its own untagged reader: any object here).
    struct({}, { network: opt(struct({}, { enabled: opt(t.boolean) })), file_system: opt(t.UnknownRecord) }),
    ['network', 'file_system'],
    'LegacyPermissionProfile',
  ),
]);
/** `ActivePermissionProfile` (models.rs): `id` required, `extends` an `Option`. */
const ActivePermissionProfile = struct({ id: t.string }, { extends: opt(t.string) });
/** `ReasoningEffort`: any name but the empty one (`isReasoningEffort`). */
const ReasoningEffort = t.refinement(t.string, isReasoningEffort, 'ReasoningEffort');
/** `CollaborationMode` (config_types.rs; the rule `codexReadsCollaborationMode`, kinds/turnContext.ts). */
const CollaborationMode = t.refinement(t.UnknownRecord, codexReadsCollaborationMode, 'CollaborationMode');

const TokenUsage = struct({
  input_tokens: i64,
  cached_input_tokens: i64,
  output_tokens: i64,
  reasoning_output_tokens: i64,
  total_tokens: i64,
});
const TokenUsageInfo = struct(
  { total_token_usage: TokenUsage, last_token_usage: TokenUsage },
  { model_context_window: opt(i64) },
);
/** `TurnAttribution` (0.169.0's; its `turn_id` required). */
const TurnAttribution = struct({ turn_id: t.string });
const TurnError = struct({ message: t.string });

const TaskStarted = struct(
  { turn_id: t.string },
  {
    trace_id: opt(t.string),
    started_at: opt(i64),
    model_context_window: opt(i64),
    collaboration_mode_kind: ModeKind,
    root_turn_id: opt(t.string),
    turn_attribution: opt(TurnAttribution),
  },
);
const TurnTimes = { started_at: opt(i64), completed_at: opt(i64), duration_ms: opt(i64), root_turn_id: opt(t.string) };
const TaskComplete = struct(
  { turn_id: t.string },
  { last_agent_message: opt(t.string), error: opt(TurnError), time_to_first_token_ms: opt(i64), ...TurnTimes },
);
const TurnAborted = struct({ reason: TurnAbortReason }, { turn_id: opt(t.string), ...TurnTimes });
const ThreadRolledBack = struct({ num_turns: u32 });
/**
 * `RateLimitSnapshot` (protocol.rs): every field an `Option`, but a window's `used_percent` (an
 * `f64`) and a credits snapshot's `has_credits` and `unlimited` are required. Its `plan_type` and
 * `rate_limit_reached_type` are read as anything (enums whose names move with the backend).
 */
const RateLimitWindow = struct({ used_percent: t.number }, { window_minutes: opt(i64), resets_at: opt(i64) });
const RateLimitSnapshot = struct(
  {},
  {
    limit_id: opt(t.string),
    limit_name: opt(t.string),
    primary: opt(RateLimitWindow),
    secondary: opt(RateLimitWindow),
    credits: opt(struct({ has_credits: t.boolean, unlimited: t.boolean }, { balance: opt(t.string) })),
  },
);
const TokenCount = struct({}, { info: opt(TokenUsageInfo), rate_limits: opt(RateLimitSnapshot) });
const StringList = t.array(t.string);
const UserMessage = struct(
  { message: t.string },
  {
    client_id: opt(t.string),
    images: opt(StringList),
    // `Vec`s with `#[serde(default)]`: absent is empty, null is refused.
    image_details: t.UnknownArray,
    local_images: t.UnknownArray,
    local_image_details: t.UnknownArray,
    audio: opt(StringList),
    local_audio: t.UnknownArray,
    text_elements: t.UnknownArray,
  },
);
const AgentMessage = struct(
  { message: t.string },
  {
    phase: opt(MessagePhase),
    memory_citation: opt(MemoryCitation),
    delivery: opt(t.literal('async')),
    questions: opt(t.UnknownArray),
    moderation: opt(struct({ moderated: t.boolean })),
  },
);
const AgentReasoning = struct({ text: t.string });
/** `ThreadSettingsSnapshot`: its required fields (its paths and collaboration mode checked deeper). */
const ThreadSettings = struct(
  {
    model: t.string,
    model_provider_id: t.string,
    approval_policy: AskForApproval,
    approvals_reviewer: ApprovalsReviewer,
    permission_profile: PermissionProfile,
    cwd: AbsolutePath,
    collaboration_mode: CollaborationMode,
  },
  {
    service_tier: opt(t.string),
    active_permission_profile: opt(ActivePermissionProfile),
    reasoning_effort: opt(ReasoningEffort),
    reasoning_summary: opt(ReasoningSummary),
    personality: opt(t.string),
  },
);
const ThreadSettingsApplied = struct({ thread_settings: ThreadSettings }, { thread_id: opt(Uuid) });
const TurnContext = struct(
  { cwd: AbsolutePath, approval_policy: AskForApproval, model: t.string },
  {
    turn_id: opt(t.string),
    root_turn_id: opt(t.string),
    comp_hash: opt(t.string),
    approvals_reviewer: opt(ApprovalsReviewer),
    sandbox_policy: opt(t.UnknownRecord),
    permission_profile: opt(PermissionProfile),
    active_permission_profile: opt(ActivePermissionProfile),
    file_system_sandbox_policy: opt(FileSystemSandboxPolicy),
    collaboration_mode: opt(t.UnknownRecord),
    multi_agent_version: opt(MultiAgentVersion),
    realtime_active: opt(t.boolean),
    effort: opt(ReasoningEffort),
    summary: opt(ReasoningSummary),
    disabled_plugin_ids: opt(StringList),
  },
);

/** `SessionSource`'s newtype variants (protocol.rs): each holds a value, so its map form is no unit name. */
export const SOURCE_NEWTYPES: readonly string[] = ['subagent', 'custom', 'internal'];
/** `SessionMetaLine` (`SessionMeta` flattened with `git`): what makes Codex refuse a thread (its first line) or pass over a later meta. */
const SessionMeta = struct(
  { id: Uuid, timestamp: t.string, cwd: t.string, originator: t.string, cli_version: t.string },
  {
    session_id: Uuid,
    forked_from_id: opt(Uuid),
    parent_thread_id: opt(Uuid),
    // `SessionSource`: a name (an unknown one reads as `Unknown`, `#[serde(other)]`), its map form
    // (any key, as a name), or a newtype variant's object (`subagent`, `custom`, `internal`); absent is `vscode`.
    source: t.union([
      t.string,
      t.refinement(
        t.UnknownRecord,
        (o) => {
          const name = serdeUnitMapName(o);
          return name !== undefined && !SOURCE_NEWTYPES.includes(name);
        },
        'SessionSource unit',
      ),
      // A newtype variant's content is read as its type: null is none of them (measured on 0.169.0:
      // `{"subagent": null}` refuses the meta, serdeEnumMaps.compat).
      t.refinement(
        t.UnknownRecord,
        (o) => SOURCE_NEWTYPES.some((k) => o[k] !== undefined && o[k] !== null),
        'SessionSource',
      ),
    ]),
    thread_source: opt(t.string),
    agent_nickname: opt(t.string),
    agent_role: opt(t.string),
    agent_path: opt(t.string),
    model_provider: opt(t.string),
    base_instructions: opt(struct({ text: t.string })),
    dynamic_tools: opt(t.UnknownArray),
    selected_capability_roots: t.UnknownArray,
    memory_mode: opt(t.string),
    history_mode: names('legacy', 'paginated'),
    history_base: opt(struct({ thread_id: Uuid, end_ordinal_exclusive: u64, end_byte_offset: u64 })),
    subagent_history_start_ordinal: opt(u64),
    multi_agent_version: opt(MultiAgentVersion),
    context_window: opt(struct({ window_id: t.string })),
    forked_from_ordinal_exclusive: opt(u64),
    account_scoped: t.boolean,
    runtime_workspace_roots: opt(t.array(AbsolutePath)),
    // `GitInfo` (protocol.rs): every field an `Option` (`commit_hash` a `GitSha`, a newtype of a `String`).
    git: opt(struct({}, { commit_hash: opt(t.string), branch: opt(t.string), repository_url: opt(t.string) })),
  },
);
/**
 * The items inside `item_completed` (protocol/src/items.rs `TurnItem`, tagged by `type`) whose
 * fields Codex refuses where our item codecs (kinds/itemCompleted.ts) read more: the measured ones
 * (a Map: an item type is text from the file).
 */
const TURN_ITEM_SERDE: ReadonlyMap<string, t.Mixed> = new Map(
  Object.entries({
    UserMessage: struct({ content: t.UnknownArray }),
    Reasoning: struct({ summary_text: t.UnknownArray }),
    AgentMessage: struct(
      { content: t.UnknownArray },
      { phase: opt(MessagePhase), memory_citation: opt(MemoryCitation) },
    ),
    CommandExecution: struct(
      {
        // `ExecCommandSource`, `CommandExecutionStatus` (snake_case): required, as `parsed_cmd` and `cwd`.
        source: names('agent', 'user_shell', 'unified_exec_startup', 'unified_exec_interaction'),
        status: names('in_progress', 'completed', 'failed', 'declined'),
        parsed_cmd: t.UnknownArray,
        // 0.169.0 writes a file URL (measured); an absolute path reads too.
        cwd: t.refinement(t.string, (c) => c.startsWith('file:///') || c.startsWith('/'), 'cwd'),
      },
      {
        interaction_input: opt(t.string),
        exit_code: opt(i32),
      },
    ),
  }),
);
/** `ItemCompletedEvent`: its item is decoded by our codecs (kinds/itemCompleted.ts, serde's rules where measured) and `TURN_ITEM_SERDE`. */
const ItemCompleted = struct(
  { thread_id: Uuid, turn_id: t.string, item: t.UnknownRecord },
  { started_at_ms: opt(i64), completed_at_ms: i64 },
);

/**
 * Codex's serde of each kind the decoder reads, or `ours` where our codec already refuses what
 * Codex refuses (a kind added to the decoder is a compile error here until decided).
 */
const CODEX_SERDE: { readonly [K in DecodedLineKind]: t.Mixed | 'ours' } = {
  sessionMeta: SessionMeta,
  turnContext: TurnContext,
  worldState: 'ours',
  tokenUsageRecord: 'ours',
  compacted: 'ours',
  taskStarted: TaskStarted,
  taskComplete: TaskComplete,
  turnAborted: TurnAborted,
  threadRolledBack: ThreadRolledBack,
  threadSettingsApplied: ThreadSettingsApplied,
  tokenCount: TokenCount,
  itemCompleted: ItemCompleted,
  userMessage: UserMessage,
  agentMessage: AgentMessage,
  agentReasoning: AgentReasoning,
  agentReasoningRawContent: 'ours',
  contextCompacted: 'ours',
  enteredReviewMode: 'ours',
  exitedReviewMode: 'ours',
  error: 'ours',
  patchApplyEnd: 'ours',
  mcpToolCallEnd: 'ours',
  webSearchEnd: 'ours',
  subAgentActivity: 'ours',
  imageGenerationEnd: 'ours',
  responseItem: 'ours',
};

/** Rules no field codec says: a path read without a base deep in a struct, a collaboration mode's shape. */
const DEEPER: { readonly [K in DecodedLineKind]?: (payload: never) => string | undefined } = {
  turnContext: (p: Parameters<typeof codexReadsTurnContext>[0]) =>
    codexReadsTurnContext(p) ? undefined : 'a path, sandbox policy or collaboration mode Codex does not read',
  threadSettingsApplied: (p: { thread_settings?: unknown }) =>
    codexReadsThreadSettings(p.thread_settings) ? undefined : 'thread_settings: a path not absolute',
  itemCompleted: (p: { item?: { type?: unknown } }) => {
    const codec = typeof p.item?.type === 'string' ? TURN_ITEM_SERDE.get(p.item.type) : undefined;
    const r = codec === undefined ? undefined : decodeShape(codec, p.item);
    return r !== undefined && E.isLeft(r) ? `item: ${renderDecodeErrors(r.left)}` : undefined;
  },
};

/** Why Codex 0.169's serde refuses a payload our codec of `kind` read; undefined when Codex reads it too. */
export const codexRefusal = (kind: DecodedLineKind, payload: unknown): string | undefined => {
  const codec = CODEX_SERDE[kind];
  if (codec !== 'ours') {
    const r = decodeShape(codec, payload);
    if (E.isLeft(r)) return renderDecodeErrors(r.left);
  }
  const deeper = DEEPER[kind] as ((p: unknown) => string | undefined) | undefined;
  return deeper?.(payload);
};
