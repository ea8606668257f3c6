/**
 * One generated thread's rollout text for bench/indexData.ts, its lines in the order Codex 0.169.0
 * writes them (SPEC-NOTES §4).
 */
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { WORDS, hex, prose, toolOutput, uuid7 } from './syntheticText.js';

const COMPACTED_BYTES = 10 * 1024;

export interface ThreadPlan {
  readonly mode: HistoryMode;
  readonly turns: number;
  readonly toolOutputBytes: number;
}

/**
 * One thread's rollout text.
 * long: one synthetic thread's lines, written in the order Codex writes them (bench data)
 */
export const threadText = (
  rand: () => number,
  plan: ThreadPlan,
  threadId: string,
  startMs: number,
  shared: { instructions: string },
  stats: { lines: number; tools: number; compactions: number },
): string => {
  const out: string[] = [];
  let ordinal = 0;
  let ms = startMs;
  const paginated = plan.mode === 'paginated';
  const push = (type: string, payload: unknown, metadata?: unknown): void => {
    ms += 1 + Math.floor(rand() * 40);
    const o: Record<string, unknown> = { timestamp: new Date(ms).toISOString() };
    if (paginated) o['ordinal'] = ordinal;
    o['type'] = type;
    o['payload'] = payload;
    if (metadata !== undefined) o['metadata'] = metadata;
    ordinal += 1;
    out.push(JSON.stringify(o));
  };
  const usage = (k: number) => ({
    input_tokens: 1100 * k,
    cached_input_tokens: 0,
    cache_write_input_tokens: 0,
    output_tokens: 21 * k,
    reasoning_output_tokens: 5,
    total_tokens: 1121 * k,
  });
  const tokens = (turnId: string, k: number): void => {
    push('token_usage_record', {
      thread_id: threadId,
      turn_id: turnId,
      session_id: threadId,
      root_turn_id: turnId,
      response_id: `resp_${hex(rand, 8)}`,
      usage: usage(k),
      turn_token_usage: usage(k),
      thread_token_usage: usage(k + 1),
    });
    push('event_msg', {
      type: 'token_count',
      info: {
        total_token_usage: usage(k + 1),
        last_token_usage: usage(k),
        last_usage_includes_reasoning: false,
        model_context_window: 190000,
      },
      rate_limits: {
        limit_id: 'codex',
        limit_name: null,
        primary: null,
        secondary: null,
        credits: null,
        individual_limit: null,
        spend_control_reached: null,
        plan_type: null,
        rate_limit_reached_type: null,
      },
    });
  };
  const item = (turnId: string, body: Record<string, unknown>): void =>
    push('event_msg', {
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item: body,
      started_at_ms: ms,
      completed_at_ms: ms + 1,
    });

  push('session_meta', {
    account_scoped: true,
    session_id: threadId,
    id: threadId,
    timestamp: new Date(ms).toISOString(),
    cwd: '/srv/bench/work',
    runtime_workspace_roots: ['/srv/bench/work'],
    originator: 'rollout_bench',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'openai',
    base_instructions: { text: shared.instructions },
    history_mode: plan.mode,
  });
  for (let n = 1; n <= plan.turns; n++) {
    const turnId = uuid7(rand, ms);
    push('event_msg', {
      type: 'task_started',
      turn_attribution: {
        turn_id: turnId,
        turn_trigger: null,
        parent_turn_id: null,
        initiating_agent_path: null,
        root_turn_id: turnId,
      },
      turn_id: turnId,
      root_turn_id: turnId,
      started_at: Math.floor(ms / 1000),
      model_context_window: 190000,
      collaboration_mode_kind: 'default',
    });
    if (n === 1) {
      push('response_item', {
        type: 'message',
        id: `msg_${uuid7(rand, ms)}`,
        role: 'developer',
        content: [{ type: 'input_text', text: `<skills_instructions>\n${prose(rand, 3000)}` }],
      });
      push('response_item', {
        type: 'message',
        id: `msg_${uuid7(rand, ms)}`,
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>/srv/bench/work</cwd>\n  <shell>bash</shell>\n${prose(rand, 600)}</environment_context>`,
          },
        ],
      });
      push('world_state', {
        full: true,
        state: {
          agents_md: {},
          apps_instructions: false,
          collaboration_mode: { mode: 'default', model: 'mock-model' },
          host_skills: { body: prose(rand, 3000) },
        },
      });
    }
    push('turn_context', {
      turn_id: turnId,
      root_turn_id: turnId,
      disabled_plugin_ids: [],
      cwd: '/srv/bench/work',
      approval_policy: 'never',
      approvals_reviewer: 'user',
      permission_profile: { type: 'disabled' },
      model: 'mock-model',
      collaboration_mode: {
        mode: 'default',
        settings: { model: 'mock-model', reasoning_effort: 'medium', developer_instructions: null },
      },
      multi_agent_version: 'v1',
      realtime_active: false,
      summary: 'none',
      sandbox_policy: { type: 'danger-full-access' },
    });
    if (n === 1) {
      push('event_msg', {
        type: 'thread_settings_applied',
        thread_id: threadId,
        thread_settings: {
          model: 'mock-model',
          model_provider_id: 'openai',
          approval_policy: 'never',
          cwd: '/srv/bench/work',
          reasoning_summary: 'detailed',
          collaboration_mode: {
            mode: 'default',
            settings: { model: 'mock-model', reasoning_effort: 'medium', developer_instructions: null },
          },
        },
      });
    }
    const userText = `Turn ${n}: ${prose(rand, 40 + Math.floor(rand() * 300))}`;
    push(
      'response_item',
      {
        type: 'message',
        id: `msg_${uuid7(rand, ms)}`,
        role: 'user',
        content: [{ type: 'input_text', text: userText }],
        internal_chat_message_metadata_passthrough: {
          turn_id: turnId,
          create_time: ms / 1000,
          content_item_kinds: ['user.text'],
        },
      },
      { history_sequence: ordinal, sampled_through_sequence: 0, client_authored: false },
    );
    if (paginated)
      item(turnId, {
        type: 'UserMessage',
        id: uuid7(rand, ms),
        content: [{ type: 'text', text: userText, text_elements: [] }],
      });
    else
      push('event_msg', { type: 'user_message', message: userText, images: [], local_images: [], text_elements: [] });
    const thinking = `Thinking about: ${prose(rand, 80 + Math.floor(rand() * 200))}`;
    const rsId = `rs_${hex(rand, 8)}`;
    if (paginated) item(turnId, { type: 'Reasoning', id: rsId, summary_text: [thinking], raw_content: [] });
    else push('event_msg', { type: 'agent_reasoning', text: thinking });
    push(
      'response_item',
      {
        type: 'reasoning',
        id: rsId,
        summary: [{ type: 'summary_text', text: thinking }],
        content: null,
        encrypted_content: `enc:${hex(rand, 64)}`,
        internal_chat_message_metadata_passthrough: { turn_id: turnId },
      },
      { history_sequence: ordinal, sampled_through_sequence: 3, client_authored: false },
    );
    // About one turn in three runs a command (a few run two); each tool output is 64 KB.
    const calls = Math.floor(rand() * rand() * 3);
    for (let c = 0; c < calls; c++) {
      const callId = `call_${hex(rand, 12)}`;
      const cmd = `rg -n "${WORDS[Math.floor(rand() * WORDS.length)]}" src`;
      const output = toolOutput(rand, plan.toolOutputBytes);
      push('response_item', {
        type: 'function_call',
        id: `fc_${uuid7(rand, ms)}`,
        name: 'exec_command',
        arguments: JSON.stringify({ cmd, workdir: '/srv/bench/work' }),
        call_id: callId,
        internal_chat_message_metadata_passthrough: { turn_id: turnId },
      });
      tokens(turnId, c + 1);
      const duration = { secs: 0, nanos: Math.floor(rand() * 1e9) };
      if (paginated) {
        item(turnId, {
          type: 'CommandExecution',
          id: callId,
          process_id: String(1000 + c),
          command: ['/bin/bash', '-lc', cmd],
          cwd: 'file:///srv/bench/work',
          parsed_cmd: [{ type: 'search', cmd, query: 'x', path: 'src' }],
          source: 'unified_exec_startup',
          status: 'completed',
          aggregated_output: output,
          exit_code: 0,
          duration,
        });
      } else {
        push('event_msg', {
          type: 'exec_command_begin',
          call_id: callId,
          command: ['/bin/bash', '-lc', cmd],
          cwd: '/srv/bench/work',
          parsed_cmd: [{ type: 'search', cmd, query: 'x', path: 'src' }],
        });
        push('event_msg', {
          type: 'exec_command_end',
          call_id: callId,
          stdout: '',
          stderr: '',
          aggregated_output: output,
          exit_code: 0,
          duration,
          formatted_output: output.slice(0, 2000),
        });
      }
      push(
        'response_item',
        {
          type: 'function_call_output',
          id: `fco_${uuid7(rand, ms)}`,
          call_id: callId,
          output: `Chunk ID: ${hex(rand, 6)}\nWall time: 0.0100 seconds\nProcess exited with code 0\nOutput:\n${output}`,
          internal_chat_message_metadata_passthrough: { turn_id: turnId, create_time: ms / 1000 },
        },
        { history_sequence: ordinal, sampled_through_sequence: 6, client_authored: false },
      );
      stats.tools += 1;
    }
    const answer = `Answer #${n}: ${prose(rand, 100 + Math.floor(rand() * 600))}`;
    const msgId = `msg_${hex(rand, 8)}`;
    if (paginated) item(turnId, { type: 'AgentMessage', id: msgId, content: [{ type: 'Text', text: answer }] });
    else push('event_msg', { type: 'agent_message', message: answer, phase: null, memory_citation: null });
    push(
      'response_item',
      {
        type: 'message',
        status: 'completed',
        id: msgId,
        role: 'assistant',
        content: [{ type: 'output_text', text: answer, annotations: [] }],
        internal_chat_message_metadata_passthrough: { turn_id: turnId, content_item_kinds: ['unknown'] },
      },
      { history_sequence: ordinal, sampled_through_sequence: 3, client_authored: false },
    );
    tokens(turnId, calls + 1);
    if (n > 2 && rand() < 0.1) {
      const history: unknown[] = [];
      let size = 0;
      while (size < COMPACTED_BYTES - 600) {
        const text = prose(rand, 300);
        history.push({
          type: 'message',
          id: `msg_${uuid7(rand, ms)}`,
          role: 'user',
          content: [{ type: 'input_text', text }],
          internal_chat_message_metadata_passthrough: { turn_id: turnId },
        });
        size += text.length + 180;
      }
      push('compacted', {
        message: prose(rand, 400),
        replacement_history: history,
        window_number: 1,
        window_id: uuid7(rand, ms),
      });
      if (paginated) item(turnId, { type: 'ContextCompaction', id: uuid7(rand, ms) });
      else push('event_msg', { type: 'context_compacted' });
      stats.compactions += 1;
    }
    push('event_msg', {
      type: 'task_complete',
      root_turn_id: turnId,
      turn_id: turnId,
      last_agent_message: answer.slice(0, 80),
      started_at: Math.floor(ms / 1000),
      completed_at: Math.floor(ms / 1000),
      duration_ms: 100 + Math.floor(rand() * 5000),
      time_to_first_token_ms: 95,
    });
  }
  stats.lines += out.length;
  return out.map((l) => `${l}\n`).join('');
};
