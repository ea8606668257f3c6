/**
 * One long Codex-shaped thread for the page-latency bench, streamed to disk turn by turn (a 1 GB
 * thread never sits in memory): per turn a task_started, turn_context, the user message, a
 * reasoning item, a shell call with a 16 KB output, the answer, token counts and task_complete,
 * in paginated (item_completed) or legacy (event) shape.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { makeRolloutLine } from '../domain/rollout/line.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';

export interface GeneratedThread {
  readonly threadId: string;
  readonly path: string;
  readonly bytes: number;
  readonly turns: number;
  readonly lines: number;
}

/** The same turn at every size (~20 KB: a 16 KB tool output), so pages differ only by where they are. */
const OUTPUT = 'line of build output: compiling module src/lib/thing.ts … ok ✓\n'.repeat(250);

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const generateThread = async (
  home: string,
  mode: HistoryMode,
  targetBytes: number,
  threadId: string,
): Promise<GeneratedThread> => {
  const dir = nodePath.join(home, 'sessions/2026/11/21');
  fs.mkdirSync(dir, { recursive: true });
  const path = nodePath.join(dir, `rollout-2026-11-21T10-00-00-${threadId}.jsonl`);
  const out = fs.createWriteStream(path);
  let ordinal = 0;
  let ms = Date.UTC(2026, 10, 21, 10, 0, 0);
  let bytes = 0;
  let lines = 0;
  let buf: string[] = [];
  const push = (type: string, payload: unknown): void => {
    ms += 3;
    const raw = makeRolloutLine({
      timestamp: new Date(ms).toISOString(),
      ordinal: mode === 'paginated' ? ordinal : undefined,
      type,
      payload,
    }).raw;
    ordinal += 1;
    lines += 1;
    bytes += Buffer.byteLength(raw) + 1;
    buf.push(raw);
  };
  const flush = async (): Promise<void> => {
    const chunk = buf.map((l) => `${l}\n`).join('');
    buf = [];
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  };
  const item = (turnId: string, it: Record<string, unknown>): void =>
    push('event_msg', {
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item: it,
      started_at_ms: ms,
      completed_at_ms: ms,
    });
  push('session_meta', {
    session_id: threadId,
    id: threadId,
    timestamp: new Date(ms).toISOString(),
    cwd: '/work/bench',
    originator: 'rollout_engine_bench',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'openai',
    base_instructions: { text: 'You are a coding agent. '.repeat(800) },
    history_mode: mode,
  });
  let turns = 0;
  while (bytes < targetBytes) {
    turns += 1;
    const turnId = `turn-${String(turns).padStart(7, '0')}-${threadId.slice(0, 8)}`;
    const user = `Turn ${turns}: please build and test the project.`;
    push('event_msg', {
      type: 'task_started',
      turn_id: turnId,
      root_turn_id: turnId,
      started_at: Math.floor(ms / 1000),
      model_context_window: 200000,
    });
    push('turn_context', {
      turn_id: turnId,
      cwd: '/work/bench',
      model: 'mock-model',
      effort: 'medium',
      approval_policy: 'never',
      sandbox_policy: { type: 'danger-full-access' },
    });
    push('response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text: user }] });
    if (mode === 'paginated')
      item(turnId, {
        type: 'UserMessage',
        id: `u-${turnId}`,
        content: [{ type: 'text', text: user, text_elements: [] }],
      });
    else push('event_msg', { type: 'user_message', message: user, images: [], local_images: [], text_elements: [] });
    if (mode === 'paginated')
      item(turnId, {
        type: 'Reasoning',
        id: `rs-${turnId}`,
        summary_text: ['Running the build first.'],
        raw_content: [],
      });
    else push('event_msg', { type: 'agent_reasoning', text: 'Running the build first.' });
    {
      const c = 0;
      const callId = `call-${turns}-${c}`;
      push('response_item', {
        type: 'function_call',
        name: 'exec_command',
        arguments: JSON.stringify({ cmd: 'npm test' }),
        call_id: callId,
      });
      push('response_item', { type: 'function_call_output', call_id: callId, output: OUTPUT });
      if (mode === 'paginated')
        item(turnId, {
          type: 'CommandExecution',
          id: callId,
          command: ['/bin/bash', '-lc', 'npm test'],
          cwd: 'file:///work/bench',
          process_id: '4242',
          source: 'unified_exec_startup',
          status: 'completed',
          parsed_cmd: [{ type: 'unknown', cmd: 'npm test' }],
          aggregated_output: OUTPUT,
          exit_code: 0,
          duration: { secs: 1, nanos: 200_000_000 },
        });
    }
    const answer = `Turn ${turns}: the build passed.`;
    if (mode === 'paginated')
      item(turnId, { type: 'AgentMessage', id: `msg-${turnId}`, content: [{ type: 'Text', text: answer }] });
    else push('event_msg', { type: 'agent_message', message: answer, phase: null, memory_citation: null });
    push('response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: answer }] });
    push('event_msg', {
      type: 'token_count',
      info: {
        total_token_usage: {
          input_tokens: 1000 * turns,
          cached_input_tokens: 0,
          output_tokens: 50 * turns,
          reasoning_output_tokens: 0,
          total_tokens: 1050 * turns,
        },
      },
      rate_limits: null,
    });
    push('event_msg', {
      type: 'task_complete',
      turn_id: turnId,
      root_turn_id: turnId,
      last_agent_message: answer,
      started_at: Math.floor(ms / 1000),
      completed_at: Math.floor(ms / 1000),
      duration_ms: 1500,
    });
    if (buf.length > 200) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { threadId, path, bytes, turns, lines };
};
