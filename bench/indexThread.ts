/**
 * One generated thread's rollout text for bench/indexData.ts, its lines in the order Codex 0.169.0
 * writes them (SPEC-NOTES §4). Every step draws from the thread's seeded generator in that order,
 * so a seed gives the same bytes.
 */
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { WORDS, hex, prose, toolOutput, uuid7 } from './syntheticText.js';
import { threadLines } from './indexThreadLines.js';
import type { ThreadLines } from './indexThreadLines.js';
import { taskStartedPayload } from '../test/fixtures/rolloutLines.js';

const COMPACTED_BYTES = 10 * 1024;

export interface ThreadPlan {
  readonly mode: HistoryMode;
  readonly turns: number;
  readonly toolOutputBytes: number;
}

const sessionMetaLine = (w: ThreadLines, mode: HistoryMode, instructions: string): void =>
  w.push('session_meta', {
    account_scoped: true,
    session_id: w.threadId,
    id: w.threadId,
    timestamp: new Date(w.ms()).toISOString(),
    cwd: '/srv/bench/work',
    runtime_workspace_roots: ['/srv/bench/work'],
    originator: 'rollout_bench',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'openai',
    base_instructions: { text: instructions },
    history_mode: mode,
  });

const taskStartedLine = (w: ThreadLines, turnId: string): void =>
  w.push('event_msg', taskStartedPayload(turnId, Math.floor(w.ms() / 1000)));

/** What the first turn carries before its turn context: the developer's and the environment's messages, the world state. */
const firstTurnContextLines = (w: ThreadLines): void => {
  w.push('response_item', {
    type: 'message',
    id: `msg_${uuid7(w.rand, w.ms())}`,
    role: 'developer',
    content: [{ type: 'input_text', text: `<skills_instructions>\n${prose(w.rand, 3000)}` }],
  });
  w.push('response_item', {
    type: 'message',
    id: `msg_${uuid7(w.rand, w.ms())}`,
    role: 'user',
    content: [
      {
        type: 'input_text',
        text: `<environment_context>\n  <cwd>/srv/bench/work</cwd>\n  <shell>bash</shell>\n${prose(w.rand, 600)}</environment_context>`,
      },
    ],
  });
  w.push('world_state', {
    full: true,
    state: {
      agents_md: {},
      apps_instructions: false,
      collaboration_mode: { mode: 'default', model: 'mock-model' },
      host_skills: { body: prose(w.rand, 3000) },
    },
  });
};

const COLLABORATION_MODE = {
  mode: 'default',
  settings: { model: 'mock-model', reasoning_effort: 'medium', developer_instructions: null },
};

const turnContextLine = (w: ThreadLines, turnId: string): void =>
  w.push('turn_context', {
    turn_id: turnId,
    root_turn_id: turnId,
    disabled_plugin_ids: [],
    cwd: '/srv/bench/work',
    approval_policy: 'never',
    approvals_reviewer: 'user',
    permission_profile: { type: 'disabled' },
    model: 'mock-model',
    collaboration_mode: COLLABORATION_MODE,
    multi_agent_version: 'v1',
    realtime_active: false,
    summary: 'none',
    sandbox_policy: { type: 'danger-full-access' },
  });

const threadSettingsLine = (w: ThreadLines): void =>
  w.push('event_msg', {
    type: 'thread_settings_applied',
    thread_id: w.threadId,
    thread_settings: {
      model: 'mock-model',
      model_provider_id: 'openai',
      approval_policy: 'never',
      cwd: '/srv/bench/work',
      reasoning_summary: 'detailed',
      collaboration_mode: COLLABORATION_MODE,
    },
  });

/** Turn `n`'s opening: the task started, its context, and on the first turn what the thread starts with. */
const turnOpeningLines = (w: ThreadLines, turnId: string, n: number): void => {
  taskStartedLine(w, turnId);
  if (n === 1) firstTurnContextLines(w);
  turnContextLine(w, turnId);
  if (n === 1) threadSettingsLine(w);
};

/** The user's message: the model's response item, then the UI's item (paginated) or event (legacy). */
const userMessageLines = (w: ThreadLines, turnId: string, n: number): void => {
  const userText = `Turn ${n}: ${prose(w.rand, 40 + Math.floor(w.rand() * 300))}`;
  w.push(
    'response_item',
    {
      type: 'message',
      id: `msg_${uuid7(w.rand, w.ms())}`,
      role: 'user',
      content: [{ type: 'input_text', text: userText }],
      internal_chat_message_metadata_passthrough: {
        turn_id: turnId,
        create_time: w.ms() / 1000,
        content_item_kinds: ['user.text'],
      },
    },
    { history_sequence: w.ordinal(), sampled_through_sequence: 0, client_authored: false },
  );
  if (w.paginated)
    w.item(turnId, {
      type: 'UserMessage',
      id: uuid7(w.rand, w.ms()),
      content: [{ type: 'text', text: userText, text_elements: [] }],
    });
  else
    w.push('event_msg', { type: 'user_message', message: userText, images: [], local_images: [], text_elements: [] });
};

/** The model's reasoning: the UI's item or event, then the response item. */
const reasoningLines = (w: ThreadLines, turnId: string): void => {
  const thinking = `Thinking about: ${prose(w.rand, 80 + Math.floor(w.rand() * 200))}`;
  const rsId = `rs_${hex(w.rand, 8)}`;
  if (w.paginated) w.item(turnId, { type: 'Reasoning', id: rsId, summary_text: [thinking], raw_content: [] });
  else w.push('event_msg', { type: 'agent_reasoning', text: thinking });
  w.push(
    'response_item',
    {
      type: 'reasoning',
      id: rsId,
      summary: [{ type: 'summary_text', text: thinking }],
      content: null,
      encrypted_content: `enc:${hex(w.rand, 64)}`,
      internal_chat_message_metadata_passthrough: { turn_id: turnId },
    },
    { history_sequence: w.ordinal(), sampled_through_sequence: 3, client_authored: false },
  );
};

/** How the UI shows a finished command: an item in a paginated thread, begin and end events in a legacy one. */
const commandLines = (
  w: ThreadLines,
  turnId: string,
  c: number,
  call: { readonly callId: string; readonly cmd: string; readonly output: string },
  duration: { readonly secs: number; readonly nanos: number },
): void => {
  const command = ['/bin/bash', '-lc', call.cmd];
  const parsed = [{ type: 'search', cmd: call.cmd, query: 'x', path: 'src' }];
  if (w.paginated) {
    w.item(turnId, {
      type: 'CommandExecution',
      id: call.callId,
      process_id: String(1000 + c),
      command,
      cwd: 'file:///srv/bench/work',
      parsed_cmd: parsed,
      source: 'unified_exec_startup',
      status: 'completed',
      aggregated_output: call.output,
      exit_code: 0,
      duration,
    });
    return;
  }
  w.push('event_msg', {
    type: 'exec_command_begin',
    call_id: call.callId,
    command,
    cwd: '/srv/bench/work',
    parsed_cmd: parsed,
  });
  w.push('event_msg', {
    type: 'exec_command_end',
    call_id: call.callId,
    stdout: '',
    stderr: '',
    aggregated_output: call.output,
    exit_code: 0,
    duration,
    formatted_output: call.output.slice(0, 2000),
  });
};

/** Tool call `c` of a turn: the function call, the model's tokens, the command as the UI shows it, its output. */
const toolCallLines = (w: ThreadLines, turnId: string, c: number, outputBytes: number): void => {
  const callId = `call_${hex(w.rand, 12)}`;
  const cmd = `rg -n "${WORDS[Math.floor(w.rand() * WORDS.length)]}" src`;
  const output = toolOutput(w.rand, outputBytes);
  w.push('response_item', {
    type: 'function_call',
    id: `fc_${uuid7(w.rand, w.ms())}`,
    name: 'exec_command',
    arguments: JSON.stringify({ cmd, workdir: '/srv/bench/work' }),
    call_id: callId,
    internal_chat_message_metadata_passthrough: { turn_id: turnId },
  });
  w.tokens(turnId, c + 1);
  commandLines(w, turnId, c, { callId, cmd, output }, { secs: 0, nanos: Math.floor(w.rand() * 1e9) });
  w.push(
    'response_item',
    {
      type: 'function_call_output',
      id: `fco_${uuid7(w.rand, w.ms())}`,
      call_id: callId,
      output: `Chunk ID: ${hex(w.rand, 6)}\nWall time: 0.0100 seconds\nProcess exited with code 0\nOutput:\n${output}`,
      internal_chat_message_metadata_passthrough: { turn_id: turnId, create_time: w.ms() / 1000 },
    },
    { history_sequence: w.ordinal(), sampled_through_sequence: 6, client_authored: false },
  );
};

/** The agent's answer: the UI's item or event, then the response item. Says the answer. */
const answerLines = (w: ThreadLines, turnId: string, n: number): string => {
  const answer = `Answer #${n}: ${prose(w.rand, 100 + Math.floor(w.rand() * 600))}`;
  const msgId = `msg_${hex(w.rand, 8)}`;
  if (w.paginated) w.item(turnId, { type: 'AgentMessage', id: msgId, content: [{ type: 'Text', text: answer }] });
  else w.push('event_msg', { type: 'agent_message', message: answer, phase: null, memory_citation: null });
  w.push(
    'response_item',
    {
      type: 'message',
      status: 'completed',
      id: msgId,
      role: 'assistant',
      content: [{ type: 'output_text', text: answer, annotations: [] }],
      internal_chat_message_metadata_passthrough: { turn_id: turnId, content_item_kinds: ['unknown'] },
    },
    { history_sequence: w.ordinal(), sampled_through_sequence: 3, client_authored: false },
  );
  return answer;
};

/** A ~10 KB `compacted` line (its replacement history) and the UI's item or event. */
const compactionLines = (w: ThreadLines, turnId: string): void => {
  const history: unknown[] = [];
  let size = 0;
  while (size < COMPACTED_BYTES - 600) {
    const text = prose(w.rand, 300);
    history.push({
      type: 'message',
      id: `msg_${uuid7(w.rand, w.ms())}`,
      role: 'user',
      content: [{ type: 'input_text', text }],
      internal_chat_message_metadata_passthrough: { turn_id: turnId },
    });
    size += text.length + 180;
  }
  w.push('compacted', {
    message: prose(w.rand, 400),
    replacement_history: history,
    window_number: 1,
    window_id: uuid7(w.rand, w.ms()),
  });
  if (w.paginated) w.item(turnId, { type: 'ContextCompaction', id: uuid7(w.rand, w.ms()) });
  else w.push('event_msg', { type: 'context_compacted' });
};

const taskCompleteLine = (w: ThreadLines, turnId: string, answer: string): void =>
  w.push('event_msg', {
    type: 'task_complete',
    root_turn_id: turnId,
    turn_id: turnId,
    last_agent_message: answer.slice(0, 80),
    started_at: Math.floor(w.ms() / 1000),
    completed_at: Math.floor(w.ms() / 1000),
    duration_ms: 100 + Math.floor(w.rand() * 5000),
    time_to_first_token_ms: 95,
  });

/** Turn `n`: about one turn in three runs a command (a few run two), about one in ten past the second compacts. */
const turnLines = (
  w: ThreadLines,
  n: number,
  toolOutputBytes: number,
  stats: { tools: number; compactions: number },
): void => {
  const turnId = uuid7(w.rand, w.ms());
  turnOpeningLines(w, turnId, n);
  userMessageLines(w, turnId, n);
  reasoningLines(w, turnId);
  const calls = Math.floor(w.rand() * w.rand() * 3);
  for (let c = 0; c < calls; c++) {
    toolCallLines(w, turnId, c, toolOutputBytes);
    stats.tools += 1;
  }
  const answer = answerLines(w, turnId, n);
  w.tokens(turnId, calls + 1);
  if (n > 2 && w.rand() < 0.1) {
    compactionLines(w, turnId);
    stats.compactions += 1;
  }
  taskCompleteLine(w, turnId, answer);
};

/** One thread's rollout text. */
export const threadText = (
  rand: () => number,
  plan: ThreadPlan,
  threadId: string,
  startMs: number,
  shared: { instructions: string },
  stats: { lines: number; tools: number; compactions: number },
): string => {
  const w = threadLines(rand, threadId, plan.mode === 'paginated', startMs);
  sessionMetaLine(w, plan.mode, shared.instructions);
  for (let n = 1; n <= plan.turns; n++) turnLines(w, n, plan.toolOutputBytes, stats);
  stats.lines += w.lines().length;
  return w
    .lines()
    .map((l) => `${l}\n`)
    .join('');
};
