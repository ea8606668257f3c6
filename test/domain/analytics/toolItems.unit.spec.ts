/**
 * Tool-item analytics events as Codex serializes them: `codex-rs/analytics/src/events.rs`
 * (`CodexToolItemEventBase` flattened first, then `CodexCommandExecutionEventParams` /
 * `CodexFileChangeEventParams` / `CodexMcpToolCallEventParams` / `CodexWebSearchEventParams`),
 * values as `codex-rs/analytics/src/reducer.rs` (`tool_item_event`, `command_execution_tool_name`,
 * `command_execution_outcome`, `patch_apply_outcome`, `mcp_tool_call_outcome`,
 * `observed_duration_ms`, `web_search_query_count`) derives them. Key order is compared.
 */
import { expect } from 'chai';
import { toolItemEvent, toolItemOf } from '../../../domain/analytics/toolItems.js';

const thread = {
  threadId: 'thread-1',
  threadSource: 'user',
  subagentSource: null,
  parentThreadId: null,
  codexRsVersion: '0.169.0',
};
const base = (item: Record<string, unknown>, started: number | null = 1000, completed = 1042) => ({
  turn_id: 'turn-1',
  item,
  ...(started === null ? {} : { started_at_ms: started }),
  completed_at_ms: completed,
});

const BASE_KEYS =
  '"thread_id":"thread-1","turn_id":"turn-1","item_id":"%ID%","runtime":{"codex_rs_version":"0.169.0"},"thread_source":"user","subagent_source":null,"parent_thread_id":null';
const REVIEW = '"review_count":0,"guardian_review_count":0,"user_review_count":0,"final_approval_outcome":"unknown"';

describe('tool-item analytics events (from item_completed lines)', () => {
  it('codex_command_execution_event: unified_exec, action counts, execution and observed durations', () => {
    const row = toolItemOf(
      base({
        type: 'CommandExecution',
        id: 'call_1',
        command: ['/bin/bash', '-lc', 'ls && cat a'],
        parsed_cmd: [
          { type: 'list_files', cmd: 'ls' },
          { type: 'read', cmd: 'cat a', name: 'a', path: 'a' },
          { type: 'unknown', cmd: 'x' },
        ],
        source: 'unified_exec_startup',
        status: 'completed',
        exit_code: 0,
        duration: { secs: 0, nanos: 20_260_000 },
      }),
    );
    expect(JSON.stringify(toolItemEvent(row!, thread))).to.equal(
      `{"event_type":"codex_command_execution_event","event_params":{${BASE_KEYS.replace('%ID%', 'call_1')},"tool_name":"unified_exec","started_at_ms":1000,"completed_at_ms":1042,"duration_ms":42,"execution_duration_ms":20,${REVIEW},"terminal_status":"completed","failure_kind":null,"requested_additional_permissions":false,"requested_network_access":false,"command_execution_source":"unifiedExecStartup","exit_code":0,"command_total_action_count":3,"command_read_action_count":1,"command_list_files_action_count":1,"command_search_action_count":0,"command_unknown_action_count":1}}`,
    );
  });

  it('command tool names by source, and failed / declined outcomes', () => {
    const cmd = (source: string, status: string) =>
      toolItemOf(base({ type: 'CommandExecution', id: 'c', command: ['x'], parsed_cmd: [], source, status }));
    expect(cmd('agent', 'failed')).to.deep.include({
      toolName: 'shell',
      terminalStatus: 'failed',
      failureKind: 'tool_error',
    });
    expect(cmd('user_shell', 'declined')).to.deep.include({
      toolName: 'user_shell',
      terminalStatus: 'rejected',
      failureKind: 'approval_denied',
    });
    expect(cmd('unified_exec_interaction', 'completed')).to.deep.include({ toolName: 'unified_exec' });
    expect(cmd('agent', 'in_progress')).to.equal(null);
  });

  it('codex_file_change_event: apply_patch with add / update / move / delete counts', () => {
    const row = toolItemOf(
      base({
        type: 'FileChange',
        id: 'p1',
        changes: {
          '/a': { type: 'add', content: '' },
          '/b': { type: 'update', unified_diff: '', move_path: null },
          '/c': { type: 'update', unified_diff: '', move_path: '/d' },
          '/e': { type: 'delete', content: '' },
        },
        status: 'completed',
      }),
    );
    expect(JSON.stringify(toolItemEvent(row!, thread))).to.equal(
      `{"event_type":"codex_file_change_event","event_params":{${BASE_KEYS.replace('%ID%', 'p1')},"tool_name":"apply_patch","started_at_ms":1000,"completed_at_ms":1042,"duration_ms":42,"execution_duration_ms":null,${REVIEW},"terminal_status":"completed","failure_kind":null,"requested_additional_permissions":false,"requested_network_access":false,"file_change_count":4,"file_add_count":1,"file_update_count":1,"file_delete_count":1,"file_move_count":1}}`,
    );
  });

  it('codex_mcp_tool_call_event: the tool as tool_name, server, error presence', () => {
    const row = toolItemOf(
      base(
        {
          type: 'McpToolCall',
          id: 'm1',
          server: 'docs',
          tool: 'search',
          arguments: {},
          status: 'failed',
          error: { message: 'no' },
          duration: { secs: 2, nanos: 0 },
        },
        5000,
        7001,
      ),
    );
    expect(JSON.stringify(toolItemEvent(row!, thread))).to.equal(
      `{"event_type":"codex_mcp_tool_call_event","event_params":{${BASE_KEYS.replace('%ID%', 'm1')},"tool_name":"search","started_at_ms":5000,"completed_at_ms":7001,"duration_ms":2001,"execution_duration_ms":2000,${REVIEW},"terminal_status":"failed","failure_kind":"tool_error","requested_additional_permissions":false,"requested_network_access":false,"mcp_server_name":"docs","mcp_tool_name":"search","mcp_error_present":true}}`,
    );
  });

  it('codex_web_search_event and codex_image_generation_event', () => {
    const ws = toolItemEvent(
      toolItemOf(
        base({ type: 'WebSearch', id: 'w', query: 'q', action: { type: 'search', query: 'q', queries: ['a', 'b'] } }),
      )!,
      thread,
    );
    expect(ws.event_type).to.equal('codex_web_search_event');
    expect(ws.event_params).to.deep.include({
      tool_name: 'web_search',
      web_search_action: 'search',
      query_present: true,
      query_count: 2,
      terminal_status: 'completed',
    });
    const open = toolItemOf(
      base({ type: 'WebSearch', id: 'w', query: '', action: { type: 'open_page', url: 'https://x' } }),
    )!;
    expect(toolItemEvent(open, thread).event_params).to.deep.include({
      web_search_action: 'open_page',
      query_present: false,
      query_count: null,
    });
    const img = toolItemEvent(
      toolItemOf(base({ type: 'ImageGeneration', id: 'i', status: 'failed', result: '', revised_prompt: 'p' }))!,
      thread,
    );
    expect(img.event_params).to.deep.include({
      tool_name: 'image_generation',
      terminal_status: 'failed',
      revised_prompt_present: true,
      saved_path_present: false,
    });
  });

  it('no event without both times, for an item that is not a tool, or one still in progress; a negative span has no duration', () => {
    expect(
      toolItemOf(
        base({ type: 'McpToolCall', id: 'm', server: 's', tool: 't', arguments: {}, status: 'completed' }, null),
      ),
    ).to.equal(null);
    expect(toolItemOf(base({ type: 'AgentMessage', id: 'a', content: [] }))).to.equal(null);
    expect(
      toolItemOf(base({ type: 'McpToolCall', id: 'm', server: 's', tool: 't', arguments: {}, status: 'in_progress' })),
    ).to.equal(null);
    const row = toolItemOf(
      base({ type: 'McpToolCall', id: 'm', server: 's', tool: 't', arguments: {}, status: 'completed' }, 2000, 1000),
    )!;
    expect(toolItemEvent(row, thread).event_params['duration_ms']).to.equal(null);
  });
});
