/**
 * The rollout line kinds the decoder (`event.ts`) reads, by the type Codex writes, each with the
 * kind it decodes to: declared once, with no codecs, so the line-prefix filter
 * (`projections/linePrefix.ts`, loaded by the reader thread) derives its lists from it.
 */

/** Top-level `type`s with a payload of their own. */
export const TOP_LEVEL_KINDS = {
  session_meta: 'sessionMeta',
  turn_context: 'turnContext',
  world_state: 'worldState',
  token_usage_record: 'tokenUsageRecord',
  compacted: 'compacted',
} as const;
export type TopLevelType = keyof typeof TOP_LEVEL_KINDS;

/** `event_msg` lines, by `payload.type`. */
export const EVENT_MSG_KINDS = {
  task_started: 'taskStarted',
  task_complete: 'taskComplete',
  turn_aborted: 'turnAborted',
  thread_rolled_back: 'threadRolledBack',
  thread_settings_applied: 'threadSettingsApplied',
  token_count: 'tokenCount',
  item_completed: 'itemCompleted',
  user_message: 'userMessage',
  agent_message: 'agentMessage',
  agent_reasoning: 'agentReasoning',
  agent_reasoning_raw_content: 'agentReasoningRawContent',
  context_compacted: 'contextCompacted',
  entered_review_mode: 'enteredReviewMode',
  exited_review_mode: 'exitedReviewMode',
  error: 'error',
  patch_apply_end: 'patchApplyEnd',
  mcp_tool_call_end: 'mcpToolCallEnd',
  web_search_end: 'webSearchEnd',
  sub_agent_activity: 'subAgentActivity',
  image_generation_end: 'imageGenerationEnd',
} as const;
export type EventMsgType = keyof typeof EVENT_MSG_KINDS;

/** `response_item` lines the decoder reads (as `responseItem`), by `payload.type`; others are `other`. */
export const RESPONSE_ITEM_TYPES = ['message', 'reasoning', 'function_call', 'function_call_output'] as const;

/** Every kind a line decodes to when its payload has the kind's shape. */
export type DecodedLineKind =
  (typeof TOP_LEVEL_KINDS)[TopLevelType] | (typeof EVENT_MSG_KINDS)[EventMsgType] | 'responseItem';

/**
 * The `event_msg` types Codex keeps in a legacy rollout's history (rollout/src/policy.rs
 * `is_persisted_rollout_item`, legacy mode; openai/codex 7df9d8d8c625): every other event type is
 * either unknown to Codex 0.169 (`EventMsg` has no `#[serde(other)]`: the line does not decode,
 * rollout/src/recorder.rs `load_rollout_items`) or not passed to the history builder
 * (app-server request_processors.rs `build_legacy_api_turns_from_rollout_items`).
 */
const LEGACY_NUMBERED_EVENT_MSGS: ReadonlySet<string> = new Set([
  'token_count',
  'thread_goal_updated',
  'thread_rolled_back',
  'turn_aborted',
  'task_started',
  'task_complete',
  'thread_settings_applied',
  'user_message',
  'agent_message',
  'agent_reasoning',
  'agent_reasoning_raw_content',
  'entered_review_mode',
  'exited_review_mode',
  'patch_apply_end',
  'context_compacted',
  'mcp_tool_call_end',
  'web_search_end',
  'image_generation_end',
  'sub_agent_activity',
]);

/**
 * The `response_item` types Codex 0.169 decodes (its `ResponseItem` variants, as its schema
 * prints them; any other type decodes as `Other`) less those legacy history leaves out: `Other`,
 * `additional_tools`, `compaction_trigger` (policy.rs). `ghost_snapshot` is not among them:
 * recorder.rs `strip_legacy_ghost_snapshot_rollout_line` drops those lines before decoding.
 */
const LEGACY_NUMBERED_RESPONSE_ITEMS: ReadonlySet<string> = new Set([
  'message',
  'agent_message',
  'reasoning',
  'local_shell_call',
  'function_call',
  'tool_search_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'tool_search_output',
  'web_search_call',
  'image_generation_call',
  'compaction',
  'compaction_summary',
  'configuration_update',
  'context_compaction',
]);

/** Top-level types legacy history keeps (policy.rs; `token_usage_record` 0.169 writes beside its own turns). */
const LEGACY_NUMBERED_TOP: ReadonlySet<string> = new Set([
  'session_meta',
  'turn_context',
  'compacted',
  'world_state',
  'inter_agent_communication',
  'inter_agent_communication_metadata',
  'security_risk_score',
  'token_usage_record',
]);

/** `item_completed` items legacy history keeps (policy.rs): a plan, a sleep. */
const LEGACY_NUMBERED_COMPLETED_ITEMS: ReadonlySet<string> = new Set(['Plan', 'Sleep']);

/**
 * Whether Codex 0.169 gives a legacy rollout line a place when it numbers implicit turns
 * (`rollout-<index>`, thread_history.rs `handle_rollout_item`: one index per item the builder
 * receives), from the line's type, its payload's type and, for `item_completed`, its item's type
 * (undefined: not known from the line's first bytes — such a line is decoded, never skipped).
 * A line that does not decode is never numbered; a turn context Codex cannot read is decided by
 * its rule (`codexReadsTurnContext`). docs/codex-source/legacy-turn-fold.md §1 (D2).
 */
export const codexNumbersLegacyLine = (type: string, payloadType: string | undefined, itemType?: string): boolean => {
  if (type === 'response_item') return payloadType !== undefined && LEGACY_NUMBERED_RESPONSE_ITEMS.has(payloadType);
  if (type === 'event_msg') {
    if (payloadType === 'item_completed')
      return itemType !== undefined && LEGACY_NUMBERED_COMPLETED_ITEMS.has(itemType);
    return payloadType !== undefined && LEGACY_NUMBERED_EVENT_MSGS.has(payloadType);
  }
  return LEGACY_NUMBERED_TOP.has(type);
};
