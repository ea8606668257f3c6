import type { AnalyticsEvent } from './event.js';
import type { ToolItemFacts, ToolItemRow } from './toolItemRow.js';

// Codex's event for a completed tool item: codex-rs/analytics/src/events.rs (`CodexToolItemEventBase` and the
// per-kind params: field names and order).

/** What the thread tells every event of it (`ThreadMetadataState` and the runtime). */
export interface ToolItemThreadContext {
  readonly threadId: string;
  readonly threadSource: string | null;
  readonly subagentSource: string | null;
  readonly parentThreadId: string | null;
  readonly codexRsVersion: string | null;
}

const EVENT_TYPES: Record<ToolItemFacts['kind'], string> = {
  commandExecution: 'codex_command_execution_event',
  fileChange: 'codex_file_change_event',
  mcpToolCall: 'codex_mcp_tool_call_event',
  dynamicToolCall: 'codex_dynamic_tool_call_event',
  webSearch: 'codex_web_search_event',
  imageGeneration: 'codex_image_generation_event',
};

/** Each tool kind's own fields of its event. */
const SPECIFICS: {
  readonly [K in ToolItemFacts['kind']]: (f: Extract<ToolItemFacts, { kind: K }>) => Record<string, unknown>;
} = {
  commandExecution: (f) => ({
    command_execution_source: f.source,
    exit_code: f.exitCode,
    command_total_action_count: f.actions.total,
    command_read_action_count: f.actions.read,
    command_list_files_action_count: f.actions.listFiles,
    command_search_action_count: f.actions.search,
    command_unknown_action_count: f.actions.unknown,
  }),
  fileChange: (f) => ({
    file_change_count: f.changes.total,
    file_add_count: f.changes.add,
    file_update_count: f.changes.update,
    file_delete_count: f.changes.delete,
    file_move_count: f.changes.move,
  }),
  mcpToolCall: (f) => ({ mcp_server_name: f.server, mcp_tool_name: f.tool, mcp_error_present: f.errorPresent }),
  dynamicToolCall: (f) => ({
    dynamic_tool_name: f.tool,
    success: f.success,
    output_content_item_count: f.content?.total ?? null,
    output_text_item_count: f.content?.text ?? null,
    output_image_item_count: f.content?.image ?? null,
  }),
  webSearch: (f) => ({ web_search_action: f.action, query_present: f.queryPresent, query_count: f.queryCount }),
  imageGeneration: (f) => ({ revised_prompt_present: f.revisedPromptPresent, saved_path_present: f.savedPathPresent }),
};
const specifics = (f: ToolItemFacts): Record<string, unknown> =>
  (SPECIFICS[f.kind] as (f: ToolItemFacts) => Record<string, unknown>)(f);

const executionMs = (f: ToolItemFacts): number | null =>
  f.kind === 'commandExecution' || f.kind === 'mcpToolCall' || f.kind === 'dynamicToolCall' ? f.executionMs : null;

/** The event Codex sends for a completed tool item (`CodexToolItemEventBase` flattened, then the kind's fields). */
export const toolItemEvent = (row: ToolItemRow, thread: ToolItemThreadContext): AnalyticsEvent => {
  const duration = row.completedAtMs - row.startedAtMs;
  return {
    event_type: EVENT_TYPES[row.facts.kind],
    event_params: {
      thread_id: thread.threadId,
      turn_id: row.turnId,
      item_id: row.itemId,
      runtime: { codex_rs_version: thread.codexRsVersion },
      thread_source: thread.threadSource,
      subagent_source: thread.subagentSource,
      parent_thread_id: thread.parentThreadId,
      tool_name: row.toolName,
      started_at_ms: row.startedAtMs,
      completed_at_ms: row.completedAtMs,
      duration_ms: duration >= 0 ? duration : null,
      execution_duration_ms: executionMs(row.facts),
      review_count: 0,
      guardian_review_count: 0,
      user_review_count: 0,
      final_approval_outcome: 'unknown',
      terminal_status: row.terminalStatus,
      failure_kind: row.failureKind,
      requested_additional_permissions: false,
      requested_network_access: false,
      ...specifics(row.facts),
    },
  };
};
