/**
 * The `heavy` thread of the mutations bench (bench/mutations.ts): a Codex-shaped rollout of about
 * a target size, its turns each carrying ~1 MB of tool output.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { HistoryMode } from '../domain/rollout/historyMode.js';

const OUTPUT_BYTES = 1 << 20;

/** A rollout written line by line: each line 3 ms after the one before, numbered when paginated. */
interface RolloutWriter {
  readonly line: (type: string, payload: unknown) => void;
  /** The clock of the last line written: payloads carry it as Codex's do. */
  readonly ms: () => number;
  readonly bytes: () => number;
}

const rolloutWriter = (fd: number, mode: HistoryMode, startMs: number): RolloutWriter => {
  let ordinal = 0;
  let bytes = 0;
  let ms = startMs;
  return {
    line: (type, payload) => {
      const o: Record<string, unknown> = { timestamp: new Date((ms += 3)).toISOString() };
      if (mode === 'paginated') o['ordinal'] = ordinal;
      o['type'] = type;
      o['payload'] = payload;
      ordinal += 1;
      const text = `${JSON.stringify(o)}\n`;
      bytes += fs.writeSync(fd, text);
    },
    ms: () => ms,
    bytes: () => bytes,
  };
};

/** The session meta and the thread's settings. */
const headLines = (w: RolloutWriter, threadId: string, mode: HistoryMode): void => {
  w.line('session_meta', {
    session_id: threadId,
    id: threadId,
    timestamp: new Date(w.ms()).toISOString(),
    cwd: '/work',
    originator: 'bench',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'openai',
    base_instructions: { text: 'bench' },
    history_mode: mode,
  });
  w.line('event_msg', {
    type: 'thread_settings_applied',
    thread_id: threadId,
    thread_settings: { model: 'mock-model', cwd: '/work' },
  });
};

/** The user's message as the UI shows it: an item in a paginated thread, an event in a legacy one. */
const userMessageLine = (w: RolloutWriter, threadId: string, mode: HistoryMode, turnId: string, n: number): void => {
  if (mode === 'paginated')
    w.line('event_msg', {
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item: {
        type: 'UserMessage',
        id: `u-${turnId}`,
        content: [{ type: 'text', text: `question ${n}`, text_elements: [] }],
      },
      started_at_ms: w.ms(),
      completed_at_ms: w.ms(),
    });
  else
    w.line('event_msg', {
      type: 'user_message',
      message: `question ${n}`,
      images: [],
      local_images: [],
      text_elements: [],
    });
};

/** The agent's answer as the UI shows it: an item in a paginated thread, an event in a legacy one. */
const agentMessageLine = (w: RolloutWriter, threadId: string, mode: HistoryMode, turnId: string, n: number): void => {
  if (mode === 'paginated')
    w.line('event_msg', {
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item: { type: 'AgentMessage', id: `m-${turnId}`, content: [{ type: 'Text', text: `answer ${n}` }] },
      started_at_ms: w.ms(),
      completed_at_ms: w.ms(),
    });
  else w.line('event_msg', { type: 'agent_message', message: `answer ${n}`, phase: null, memory_citation: null });
};

/** Turn `n` (1-based; its id `turn-${n - 1}`): a question, one tool output of `filler`, an answer. */
const turnLines = (w: RolloutWriter, threadId: string, mode: HistoryMode, n: number, filler: string): void => {
  const t = `turn-${n - 1}`;
  w.line('event_msg', {
    type: 'task_started',
    turn_id: t,
    root_turn_id: t,
    started_at: Math.floor(w.ms() / 1000),
    model_context_window: 190000,
  });
  w.line('turn_context', { turn_id: t, cwd: '/work', model: 'mock-model' });
  w.line('response_item', {
    type: 'message',
    role: 'user',
    content: [{ type: 'input_text', text: `question ${n}` }],
  });
  userMessageLine(w, threadId, mode, t, n);
  w.line('response_item', { type: 'function_call_output', call_id: `c-${t}`, output: filler });
  agentMessageLine(w, threadId, mode, t, n);
  w.line('event_msg', {
    type: 'token_count',
    info: {
      total_token_usage: { total_tokens: n * 100 },
      last_token_usage: { total_tokens: 100 },
      model_context_window: 190000,
    },
  });
  w.line('event_msg', {
    type: 'task_complete',
    turn_id: t,
    root_turn_id: t,
    last_agent_message: null,
    started_at: Math.floor(w.ms() / 1000),
    completed_at: Math.floor(w.ms() / 1000),
    duration_ms: 5,
  });
};

/** Write a Codex-shaped thread of ~`targetBytes`: turns whose tool output is ~1 MB each. */
export const generateThread = (
  path: string,
  threadId: string,
  mode: HistoryMode,
  targetBytes: number,
): { bytes: number; turns: number } => {
  fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  const fd = fs.openSync(path, 'w');
  const w = rolloutWriter(fd, mode, Date.UTC(2026, 10, 21, 14, 0, 0));
  const filler = 'x'.repeat(OUTPUT_BYTES);
  headLines(w, threadId, mode);
  let turns = 0;
  while (w.bytes() < targetBytes) {
    turns += 1;
    turnLines(w, threadId, mode, turns, filler);
  }
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  return { bytes: w.bytes(), turns };
};
