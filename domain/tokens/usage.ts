import type { TokenUsage } from '../rollout/kinds/common.js';

/**
 * Token counts of one response (or a sum of them), every class present. Field names follow the
 * app-server's `tokenUsage` notification (camelCase of the rollout's snake_case).
 */
export interface Usage {
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningOutputTokens: number;
  readonly totalTokens: number;
}

export const ZERO_USAGE: Usage = {
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
  totalTokens: 0,
};

const n = (v: number | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A rollout `TokenUsage` (snake_case, any field may be missing in older files). */
export const usageOf = (u: TokenUsage): Usage => ({
  inputTokens: n(u.input_tokens),
  cachedInputTokens: n(u.cached_input_tokens),
  cacheWriteInputTokens: n(u.cache_write_input_tokens),
  outputTokens: n(u.output_tokens),
  reasoningOutputTokens: n(u.reasoning_output_tokens),
  totalTokens: n(u.total_tokens),
});

/**
 * The most tokens of one class a response may count: a thousand times the largest context window
 * there is. A record past it (or negative) is not a response's count but a damaged or forged one:
 * the report skips it (two records of 1e308 made its sums Infinity, printed as `null`), and no
 * sum of counts within it leaves the numbers JSON can carry.
 */
export const MAX_RESPONSE_TOKENS = 1e10;

/** Whether every class of a response's (or a bucket's sum's, with its responses) count is a count. */
export const usageInRange = (u: Usage, responses = 1): boolean => {
  const max = MAX_RESPONSE_TOKENS * responses;
  const ok = (v: number): boolean => v >= 0 && v <= max;
  return (
    ok(u.inputTokens) &&
    ok(u.cachedInputTokens) &&
    ok(u.cacheWriteInputTokens) &&
    ok(u.outputTokens) &&
    ok(u.reasoningOutputTokens) &&
    ok(u.totalTokens)
  );
};

export const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
  cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  reasoningOutputTokens: a.reasoningOutputTokens + b.reasoningOutputTokens,
  totalTokens: a.totalTokens + b.totalTokens,
});

export const subUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens - b.inputTokens,
  cachedInputTokens: a.cachedInputTokens - b.cachedInputTokens,
  cacheWriteInputTokens: a.cacheWriteInputTokens - b.cacheWriteInputTokens,
  outputTokens: a.outputTokens - b.outputTokens,
  reasoningOutputTokens: a.reasoningOutputTokens - b.reasoningOutputTokens,
  totalTokens: a.totalTokens - b.totalTokens,
});

export const sameUsage = (a: Usage, b: Usage): boolean =>
  a.inputTokens === b.inputTokens &&
  a.cachedInputTokens === b.cachedInputTokens &&
  a.cacheWriteInputTokens === b.cacheWriteInputTokens &&
  a.outputTokens === b.outputTokens &&
  a.reasoningOutputTokens === b.reasoningOutputTokens &&
  a.totalTokens === b.totalTokens;

/** A cumulative total that went down in some class: the counter restarted. */
export const isReset = (prev: Usage, next: Usage): boolean =>
  next.inputTokens < prev.inputTokens ||
  next.cachedInputTokens < prev.cachedInputTokens ||
  next.cacheWriteInputTokens < prev.cacheWriteInputTokens ||
  next.outputTokens < prev.outputTokens ||
  next.reasoningOutputTokens < prev.reasoningOutputTokens ||
  next.totalTokens < prev.totalTokens;
