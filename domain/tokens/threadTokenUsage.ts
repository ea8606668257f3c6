import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { TokenUsage } from '../rollout/kinds/common.js';
import { optional } from '../rollout/kinds/common.js';
import { decodeShape } from '../decodeShape.js';

/** `token_count.info` as Codex persists it. */
export const TokenCountInfo = t.intersection([
  t.type({ total_token_usage: TokenUsage }),
  t.partial({ last_token_usage: optional(TokenUsage), model_context_window: optional(t.number) }),
]);
export type TokenCountInfo = t.TypeOf<typeof TokenCountInfo>;

export interface TokenUsageBreakdown {
  totalTokens: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
}

/** `ThreadTokenUsage` of the app-server protocol (field order as Codex serialises it). */
export interface ThreadTokenUsage {
  total: TokenUsageBreakdown;
  last: TokenUsageBreakdown;
  modelContextWindow: number | null;
}

/** `thread/tokenUsage/updated` params: the usage the thread has reached, owned by one turn. */
export interface ThreadTokenUsageUpdated {
  threadId: string;
  turnId: string;
  tokenUsage: ThreadTokenUsage;
}

const breakdown = (u: TokenUsage | null | undefined): TokenUsageBreakdown => ({
  totalTokens: u?.total_tokens ?? 0,
  inputTokens: u?.input_tokens ?? 0,
  cachedInputTokens: u?.cached_input_tokens ?? 0,
  cacheWriteInputTokens: u?.cache_write_input_tokens ?? 0,
  outputTokens: u?.output_tokens ?? 0,
  reasoningOutputTokens: u?.reasoning_output_tokens ?? 0,
});

/** The protocol view of a persisted `token_count.info`; Left: the info is not a usage snapshot. */
export const threadTokenUsage = (info: unknown): E.Either<string, ThreadTokenUsage> =>
  pipe(
    decodeShape(TokenCountInfo, info),
    E.bimap(
      () => 'token_count info has no total_token_usage',
      (d) => ({
        total: breakdown(d.total_token_usage),
        last: breakdown(d.last_token_usage),
        modelContextWindow: d.model_context_window ?? null,
      }),
    ),
  );

/**
 * The turn a replayed usage update names: the turn that was running when the last token_count
 * was written, if it is still in the thread; else the last completed or failed turn; else the
 * last turn ("" for a thread without turns), as Codex attributes it.
 */
export const replayTurnId = (
  owner: string | null,
  turns: { readonly has: (id: string) => boolean; readonly lastSettled: string | null; readonly last: string | null },
): string => (owner !== null && turns.has(owner) ? owner : (turns.lastSettled ?? turns.last ?? ''));
