/**
 * A generated CODEX_HOME for the token bench: `files` rollouts of ~`bytesPerFile` each, written the
 * way Codex 0.169 writes them (large session_meta, model-context response items, tool output,
 * `token_usage_record` + `token_count` per response, re-emitted counts in failed turns), plus
 * paginated forks (history by reference), legacy forks (history copied) and older count-only
 * files. Deterministic (seeded). Returns the total the audit must find.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** A Codex token usage object from the six counts in its field order. */
const tokenUsageOf = (n: ReadonlyArray<number | undefined>) => ({
  input_tokens: n[0],
  cached_input_tokens: n[1],
  cache_write_input_tokens: n[2],
  output_tokens: n[3],
  reasoning_output_tokens: n[4],
  total_tokens: n[5],
});
export interface GeneratedHome {
  readonly files: number;
  readonly bytes: number;
  readonly responses: number;
  readonly expectedTotalTokens: number;
}

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

const uuid = (n: number, salt: number) => {
  const h = (n * 2654435761 + salt) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `01a1fe84-${hex.slice(0, 4)}-7${hex.slice(4, 7)}-8${String(salt % 1000).padStart(3, '0')}-${String(n).padStart(12, '0')}`;
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const generateTokenHome = (home: string, files: number, bytesPerFile: number, seed = 42): GeneratedHome => {
  const rand = rng(seed);
  const filler = 'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(2000);
  const instructions = filler.slice(0, 22_000);
  let bytes = 0;
  let responses = 0;
  let expected = 0;
  const dir = nodePath.join(home, 'sessions', '2026', '11', '21');
  fs.mkdirSync(dir, { recursive: true });
  const threads: Array<{ id: string; lines: string[]; total: number[] }> = [];
  const t0 = Date.UTC(2026, 10, 21, 8, 0, 0);
  for (let f = 0; f < files; f++) {
    const kind =
      f > 10 && f % 20 === 0
        ? 'pforkFork'
        : f > 10 && f % 50 === 7
          ? 'legacyFork'
          : f % 10 === 3
            ? 'countOnly'
            : 'plain';
    const id = uuid(f, 7);
    const mode = kind === 'legacyFork' || kind === 'countOnly' ? 'legacy' : 'paginated';
    let clock = t0 + f * 60_000;
    let ordinal = 0;
    const out: string[] = [];
    const line = (type: string, payload: unknown) => {
      clock += 3;
      const ts = new Date(clock).toISOString();
      const env =
        mode === 'paginated'
          ? `{"timestamp":"${ts}","ordinal":${ordinal++},"type":"${type}","payload":`
          : `{"timestamp":"${ts}","type":"${type}","payload":`;
      out.push(`${env}${JSON.stringify(payload)}}`);
    };
    const total = [0, 0, 0, 0, 0, 0];
    const source = threads.length > 0 ? threads[Math.floor(rand() * threads.length)]! : undefined;
    const meta: Record<string, unknown> = {
      session_id: id,
      id,
      timestamp: new Date(clock).toISOString(),
      cwd: `/work/project-${f % 7}`,
      originator: 'codex_vscode',
      cli_version: '0.169.0',
      source: 'vscode',
      model_provider: f % 5 === 0 ? 'azure' : 'openai',
      base_instructions: { text: instructions },
      history_mode: mode,
    };
    if (kind === 'pforkFork' && source) {
      meta['forked_from_id'] = source.id;
      meta['history_base'] = { thread_id: source.id, end_ordinal_exclusive: 5, end_byte_offset: 1000 };
    }
    if (kind === 'legacyFork' && source) meta['forked_from_id'] = source.id;
    line('session_meta', meta);
    if (kind === 'legacyFork' && source) {
      // Copies of the source's lines (records and counts included): inherited, never re-counted.
      for (const l of source.lines) out.push(l);
      for (let k = 0; k < 6; k++) total[k] = source.total[k]!;
    }
    let size = out.reduce((a, l) => a + l.length + 1, 0);
    let turn = 0;
    while (size < bytesPerFile) {
      const turnId = `${id.slice(0, 24)}${String(turn).padStart(12, '0')}`;
      const model = turn % 4 === 3 ? 'gpt-5-mini' : 'gpt-5';
      line('event_msg', {
        type: 'task_started',
        turn_id: turnId,
        root_turn_id: turnId,
        started_at: Math.floor(clock / 1000),
        model_context_window: 190000,
      });
      line('turn_context', {
        turn_id: turnId,
        cwd: meta['cwd'],
        model,
        approval_policy: 'never',
        disabled_plugin_ids: [],
      });
      line('response_item', {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: `Turn ${turn}: ${filler.slice(0, 400)}` }],
      });
      if (mode === 'paginated')
        line('event_msg', {
          type: 'item_completed',
          thread_id: id,
          turn_id: turnId,
          item: { type: 'UserMessage', id: `u${turn}`, content: [{ type: 'text', text: `Turn ${turn}` }] },
        });
      else line('event_msg', { type: 'user_message', message: `Turn ${turn}`, images: [] });
      const failed = rand() < 0.05;
      const nResponses = failed ? 0 : 1 + Math.floor(rand() * 3);
      for (let r = 0; r < nResponses; r++) {
        line('response_item', {
          type: 'function_call',
          name: 'exec_command',
          arguments: '{"cmd":"ls"}',
          call_id: `c${turn}_${r}`,
        });
        line('response_item', {
          type: 'function_call_output',
          call_id: `c${turn}_${r}`,
          output: filler.slice(0, 20_000 + Math.floor(rand() * 20_000)),
        });
        const input = 1000 + Math.floor(rand() * 50_000);
        const u = [input, Math.floor(input * rand()), 0, 20 + Math.floor(rand() * 2000), Math.floor(rand() * 500), 0];
        u[5] = u[0]! + u[3]!;
        for (let k = 0; k < 6; k++) total[k] = total[k]! + u[k]!;
        const usage = tokenUsageOf(u);
        const totals = tokenUsageOf(total);
        if (kind !== 'countOnly')
          line('token_usage_record', {
            thread_id: id,
            turn_id: turnId,
            session_id: id,
            root_turn_id: turnId,
            response_id: `resp_${f}_${turn}_${r}`,
            usage,
            turn_token_usage: usage,
            thread_token_usage: totals,
          });
        line('event_msg', {
          type: 'token_count',
          info: { total_token_usage: totals, last_token_usage: usage, model_context_window: 190000 },
          rate_limits: null,
        });
        responses += 1;
        expected += u[5]!;
      }
      if (failed) {
        const totals = tokenUsageOf(total);
        line('event_msg', {
          type: 'token_count',
          info: { total_token_usage: totals, last_token_usage: totals, model_context_window: 190000 },
          rate_limits: null,
        });
      }
      line('response_item', {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: `Answer ${turn}` }],
      });
      line(
        'event_msg',
        failed
          ? {
              type: 'task_complete',
              turn_id: turnId,
              error: { message: 'boom', codex_error_info: 'other' },
              duration_ms: 30,
            }
          : { type: 'task_complete', turn_id: turnId, last_agent_message: null, duration_ms: 900 },
      );
      size = out.reduce((a, l) => a + l.length + 1, 0);
      turn += 1;
    }
    const text = out.map((l) => `${l}\n`).join('');
    fs.writeFileSync(
      nodePath.join(
        dir,
        `rollout-2026-11-21T${String(8 + Math.floor(f / 3600)).padStart(2, '0')}-${String(Math.floor(f / 60) % 60).padStart(2, '0')}-${String(f % 60).padStart(2, '0')}-${id}.jsonl`,
      ),
      text,
    );
    bytes += Buffer.byteLength(text);
    // Sources for forks: the first root threads (a legacy fork copies a whole source file).
    if ((kind === 'plain' || kind === 'countOnly') && threads.length < 40)
      threads.push({ id, lines: out.slice(1), total: [...total] });
  }
  return { files, bytes, responses, expectedTotalTokens: expected };
};
