import type { Usage } from './usage.js';
import type { PricingTable } from './pricing.js';

// What a token report answers (report.ts builds it): its dimensions, sums, costs and options.

/**
 * Dimensions a token report is broken down by. `week` is the local week from Monday (named by its
 * Monday), `month` the local month, `client` the thread's originator (else its source), `block` a
 * 5-hour billing block as ccusage draws them: it starts at the hour of its first response (UTC)
 * and takes every response within 5 hours of that start and of the response before.
 */
export const TOKEN_DIMENSIONS = [
  'thread',
  'turn',
  'dayUtc',
  'dayLocal',
  'week',
  'month',
  'model',
  'provider',
  'cwd',
  'client',
  'block',
] as const;
export type TokenDimension = (typeof TOKEN_DIMENSIONS)[number];

export type UsageSum = Usage & { readonly responses: number };

/**
 * A sum's cost in USD as far as the pricing table goes: a report always has a total, and says what
 * it leaves out. `costUsd` is the whole cost, null when part of the sum is of a model the table
 * does not price; `pricedCostUsd` is then the part it prices (the whole when nothing is missing),
 * and `unpricedModels` names the models left out (`(no model recorded)` for responses of none).
 */
export interface Priced {
  readonly costUsd: number | null;
  /** The cost of the sum's models the table prices: the sum of its priced model rows. */
  readonly pricedCostUsd: number;
  /** The sum's models with tokens and no price, sorted: empty exactly when `costUsd` is not null. */
  readonly unpricedModels: ReadonlyArray<string>;
}

/** What a model's responses are named by when none recorded a model (an unpriced "model" of its own). */
export const NO_MODEL_RECORDED = '(no model recorded)';

/**
 * The cost of a sum from its model rows' costs: the priced rows added, the unpriced named (each
 * once, sorted); the whole cost only when none is unpriced.
 */
export const totalCost = (rows: ReadonlyArray<{ readonly cost: number | null; readonly model: string }>): Priced => {
  let pricedCostUsd = 0;
  const unpriced = new Set<string>();
  for (const r of rows) {
    if (r.cost === null) unpriced.add(r.model);
    else pricedCostUsd += r.cost;
  }
  const unpricedModels = [...unpriced].sort();
  return { costUsd: unpricedModels.length === 0 ? pricedCostUsd : null, pricedCostUsd, unpricedModels };
};

export interface ModelUsage extends UsageSum, Priced {
  readonly model: string | null;
}

export interface UsageGroup extends UsageSum, Priced {
  /** The group's value (null: not known for these responses, e.g. no model recorded). */
  readonly key: string | null;
  /** For `turn` groups: the thread the turn belongs to. */
  readonly threadId?: string;
  /** Its responses per model, largest first (`--breakdown model`). */
  readonly models: ReadonlyArray<ModelUsage>;
}

export interface TokenReportOptions {
  /** Count responses at or after this instant (ms since epoch). */
  readonly sinceMs?: number;
  /** Count responses before this instant (ms since epoch). */
  readonly untilMs?: number;
  /** Calendar day (YYYY-MM-DD) of an instant in the report's local time zone. */
  readonly localDay: (iso: string) => string;
  /** What tokens cost per model. */
  readonly pricing: PricingTable;
  /** The client a thread was used from (its originator, else its source); null: not known. */
  readonly clientOf?: (threadId: string) => string | null;
  /** The groupings to compute (default: every one); the others are left empty. */
  readonly dimensions?: ReadonlyArray<TokenDimension>;
}

export interface TokenReport {
  readonly total: UsageSum & Priced & { readonly models: ReadonlyArray<ModelUsage> };
  /** Models of counted responses the pricing table has no price for (their cost is unknown). */
  readonly unpricedModels: ReadonlyArray<string>;
  readonly groups: Readonly<Record<TokenDimension, ReadonlyArray<UsageGroup>>>;
  readonly duplicateRecords: number;
  readonly copiedCounts: number;
  /** Responses left out by --since/--until (or without a timestamp when a range was asked). */
  readonly outsideRange: number;
  /** Records left out as impossible, by why: a report is never failed nor made NaN by one. */
  readonly skippedRecords: SkippedRecords;
}

/** Records a report leaves out, counted by why. */
export interface SkippedRecords {
  /** A timestamp that is not an instant of years 1000 to 9999 (`2026-13-45T…`, `yesterday`, `+275760-…`). */
  readonly badTimestamp: number;
  /** A token count below 0 or over MAX_RESPONSE_TOKENS (a bucket of them: its responses). */
  readonly tokensOutOfRange: number;
}

/**
 * Sums of a file's responses kept by the token projection (a `tokenBuckets` row with its thread):
 * all in one UTC day, one local day of the report's zone, and one 15-minute slot.
 */
export interface UsageBucket {
  readonly threadId: string;
  /** First and last instant of its responses; null: they carry no timestamp. */
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly model: string | null;
  readonly provider: string | null;
  readonly cwd: string | null;
  readonly usage: Usage;
  readonly responses: number;
}
