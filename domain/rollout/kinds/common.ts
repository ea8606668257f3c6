import * as t from 'io-ts';

/** `T | null | undefined` — Codex writes `null` for absent Options, and older writers omit keys. */
export const optional = <C extends t.Mixed>(c: C) => t.union([c, t.null, t.undefined]);

export const TokenUsage = t.partial({
  input_tokens: t.number,
  cached_input_tokens: t.number,
  cache_write_input_tokens: t.number,
  output_tokens: t.number,
  reasoning_output_tokens: t.number,
  total_tokens: t.number,
});
export type TokenUsage = t.TypeOf<typeof TokenUsage>;
