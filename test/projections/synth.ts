import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';
/** Synthetic Codex-shaped rollout lines (paginated and legacy) for index tests. */

export interface SynthThread {
  readonly threadId: string;
  readonly mode: HistoryMode;
  /** Next ordinal / line number. */
  n: number;
  turns: number;
  items: number;
  openTurn: string | null;
}

const uuid = (seed: number, tag: number): string => {
  const h = (seed * 2654435761 + tag * 40503) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-${(tag & 0xffff).toString(16).padStart(4, '0')}-7000-8000-${(seed >>> 0).toString(16).padStart(12, '0')}`;
};

export const threadIdOf = (seed: number): string => uuid(seed, 0);

const ts = (n: number): string => new Date(Date.UTC(2026, 10, 21, 14, 0, 0) + n * 1000).toISOString();

export const newThread = (seed: number, mode: HistoryMode = 'paginated'): SynthThread => ({
  threadId: threadIdOf(seed),
  mode,
  n: 0,
  turns: 0,
  items: 0,
  openTurn: null,
});

const line = (t: SynthThread, type: string, payload: unknown, metadata?: unknown): string => {
  const o: Record<string, unknown> = { timestamp: ts(t.n) };
  if (t.mode === 'paginated') o['ordinal'] = t.n;
  o['type'] = type;
  o['payload'] = payload;
  if (metadata !== undefined) o['metadata'] = metadata;
  t.n += 1;
  return JSON.stringify(o);
};

export const sessionMeta = (t: SynthThread, extra: Record<string, unknown> = {}): string =>
  line(t, 'session_meta', {
    id: t.threadId,
    session_id: t.threadId,
    timestamp: ts(0),
    cwd: '/work',
    originator: 'test',
    cli_version: '0.169.0',
    source: 'vscode',
    // Codex's default provider: these homes have no config.toml, and `thread/list` lists it by default.
    model_provider: 'openai',
    history_mode: t.mode,
    base_instructions: { text: 'x'.repeat(300) },
    ...extra,
  });

const usage = (k: number) => ({
  input_tokens: 100 * k,
  cached_input_tokens: 0,
  output_tokens: k,
  reasoning_output_tokens: 1,
  total_tokens: 101 * k,
});

/** One action appended to a thread; returns its lines. Deterministic in (t, action). */
export type Action =
  'startTurn' | 'user' | 'agent' | 'reasoning' | 'context' | 'tokens' | 'complete' | 'fail' | 'abort';

export const act = (t: SynthThread, a: Action): string[] => {
  const turnId = t.openTurn ?? `turn-${t.threadId.slice(0, 8)}-${t.turns}`;
  const itemId = () => `item-${t.threadId.slice(0, 8)}-${t.items++}`;
  switch (a) {
    case 'startTurn': {
      t.turns += 1;
      const id = `turn-${t.threadId.slice(0, 8)}-${t.turns}`;
      t.openTurn = id;
      return [
        line(t, 'event_msg', {
          type: 'task_started',
          turn_id: id,
          root_turn_id: id,
          started_at: 1795271474 + t.n,
          model_context_window: 190000,
        }),
        line(t, 'turn_context', {
          turn_id: id,
          cwd: '/work',
          approval_policy: 'never',
          model: 'mock-model',
          effort: 'low',
        }),
      ];
    }
    case 'user': {
      const text = `hello ${t.n}`;
      if (t.mode === 'legacy') return [line(t, 'event_msg', { type: 'user_message', message: text, images: null })];
      return [
        line(t, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }] }),
        line(t, 'event_msg', {
          type: 'item_completed',
          thread_id: t.threadId,
          turn_id: turnId,
          item: { type: 'UserMessage', id: itemId(), content: [{ type: 'text', text }] },
          started_at_ms: 1,
          completed_at_ms: 2,
        }),
      ];
    }
    case 'agent': {
      const text = `answer ${t.n}`;
      if (t.mode === 'legacy') return [line(t, 'event_msg', { type: 'agent_message', message: text })];
      return [
        line(t, 'event_msg', {
          type: 'item_completed',
          thread_id: t.threadId,
          turn_id: turnId,
          item: { type: 'AgentMessage', id: itemId(), content: [{ type: 'Text', text }] },
          started_at_ms: 3,
          completed_at_ms: 4,
        }),
        line(t, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] }),
      ];
    }
    case 'reasoning':
      if (t.mode === 'legacy') return [line(t, 'event_msg', { type: 'agent_reasoning', text: `thinking ${t.n}` })];
      return [
        line(t, 'event_msg', {
          type: 'item_completed',
          thread_id: t.threadId,
          turn_id: turnId,
          item: { type: 'Reasoning', id: itemId(), summary_text: ['hm'], raw_content: [] },
        }),
      ];
    case 'context':
      return [line(t, 'world_state', { full: true, state: { blob: 'y'.repeat(200) } })];
    case 'tokens': {
      const k = (t.n % 7) + 1;
      return [
        line(t, 'token_usage_record', {
          thread_id: t.threadId,
          turn_id: turnId,
          response_id: `resp_${t.n}`,
          usage: usage(k),
        }),
        line(t, 'event_msg', {
          type: 'token_count',
          info: { total_token_usage: usage(k), last_token_usage: usage(k), model_context_window: 190000 },
          rate_limits: null,
        }),
      ];
    }
    case 'complete':
    case 'fail': {
      if (t.openTurn === null) return [];
      t.openTurn = null;
      const error = a === 'fail' ? { message: 'boom', codex_error_info: 'other' } : null;
      return [
        line(t, 'event_msg', {
          type: 'task_complete',
          turn_id: turnId,
          root_turn_id: turnId,
          started_at: 1,
          completed_at: 2,
          duration_ms: 1000,
          error,
        }),
      ];
    }
    case 'abort': {
      if (t.openTurn === null) return [];
      t.openTurn = null;
      return [
        line(t, 'event_msg', {
          type: 'turn_aborted',
          turn_id: turnId,
          reason: 'interrupted',
          completed_at: 3,
          duration_ms: 5,
        }),
      ];
    }
  }
};

/** A whole thread: session_meta then `turns` complete turns. */
export const threadLines = (t: SynthThread, turns: number, extraMeta: Record<string, unknown> = {}): string[] => {
  const out = [sessionMeta(t, extraMeta)];
  for (let i = 0; i < turns; i++) {
    for (const a of ['startTurn', 'context', 'user', 'reasoning', 'agent', 'tokens', 'complete'] as const)
      out.push(...act(t, a));
  }
  return out;
};

/** Path of a thread's rollout under a CODEX_HOME. */
export const rolloutRelPath = (threadId: string, revisionId?: string): string =>
  `sessions/2026/11/21/rollout-2026-11-21T14-00-00-${threadId}${revisionId ? `_${revisionId}` : ''}.jsonl`;

/** Lines written as a thread's rollout under a CODEX_HOME (its folders made), one a line; the file's path. */
export const writeRollout = async (home: string, threadId: string, lines: ReadonlyArray<string>): Promise<string> => {
  const path = nodePath.join(home, rolloutRelPath(threadId));
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.writeFile(path, lines.map((l) => `${l}\n`).join(''));
  return path;
};
