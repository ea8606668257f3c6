import type { TurnTokens } from './turnRow.js';

/** The token bars of a thread's turns, by turn id, from the token charts' per-turn groups (a group of no turn has none). */
export const turnTokensByTurn = (
  groups: ReadonlyArray<{
    readonly key: string | null;
    readonly inputTokens: number;
    readonly cachedInputTokens: number;
    readonly outputTokens: number;
    readonly totalTokens: number;
  }>,
): Map<string, TurnTokens> => {
  const usage = new Map<string, TurnTokens>();
  for (const g of groups)
    if (g.key !== null)
      usage.set(g.key, {
        cached: g.cachedInputTokens,
        uncached: Math.max(0, g.inputTokens - g.cachedInputTokens),
        output: g.outputTokens,
        total: g.totalTokens,
      });
  return usage;
};
