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
export type DecodedLineKind = (typeof TOP_LEVEL_KINDS)[TopLevelType] | (typeof EVENT_MSG_KINDS)[EventMsgType] | 'responseItem';
