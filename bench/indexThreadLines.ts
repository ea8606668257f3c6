/**
 * The lines of one generated thread (bench/indexThread.ts) as they are written: each clocked a few
 * ms after the last by the thread's seeded generator, numbered when the thread is paginated.
 */
import { hex } from './syntheticText.js';

export interface ThreadLines {
  readonly rand: () => number;
  readonly threadId: string;
  readonly paginated: boolean;
  /** The clock of the last line written: payloads carry it as Codex's do. */
  readonly ms: () => number;
  /** The next line's ordinal (a response item's `history_sequence`). */
  readonly ordinal: () => number;
  readonly push: (type: string, payload: unknown, metadata?: unknown) => void;
  /** A token_usage_record and its token_count event, `k` model calls into the turn. */
  readonly tokens: (turnId: string, k: number) => void;
  /** An item_completed event: how a paginated thread shows an item. */
  readonly item: (turnId: string, body: Record<string, unknown>) => void;
  readonly lines: () => ReadonlyArray<string>;
}

const usage = (k: number) => ({
  input_tokens: 1100 * k,
  cached_input_tokens: 0,
  cache_write_input_tokens: 0,
  output_tokens: 21 * k,
  reasoning_output_tokens: 5,
  total_tokens: 1121 * k,
});

const RATE_LIMITS = {
  limit_id: 'codex',
  limit_name: null,
  primary: null,
  secondary: null,
  credits: null,
  individual_limit: null,
  spend_control_reached: null,
  plan_type: null,
  rate_limit_reached_type: null,
};

export const threadLines = (rand: () => number, threadId: string, paginated: boolean, startMs: number): ThreadLines => {
  const out: string[] = [];
  let ordinal = 0;
  let ms = startMs;
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
      rate_limits: RATE_LIMITS,
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
  return {
    rand,
    threadId,
    paginated,
    ms: () => ms,
    ordinal: () => ordinal,
    push,
    tokens,
    item,
    lines: () => out,
  };
};
