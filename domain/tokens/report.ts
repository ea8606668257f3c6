import type { StoredResponse } from './selectResponses.js';
import type { CountedResponse } from './responseFold.js';
import { selectResponses } from './selectResponses.js';
import type { Usage } from './usage.js';
import { ZERO_USAGE, usageInRange } from './usage.js';
import { isCanonicalUtc } from './usageBuckets.js';
import type { PricingTable } from './pricing.js';
import { costOf, priceOf } from './pricing.js';

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

/** The instants whose day is a four-digit year's in every time zone: what days, weeks and months are named for. */
const FIRST_MS = Date.parse('1000-01-02T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-30T23:59:59.999Z');

/** Why a counted response (its instant `ms`, NaN without a timestamp) is left out whatever a report asks, or undefined: a timestamp of no instant, then counts out of range. */
const skipOf = (p: Pick<CountedResponse, 'timestamp' | 'usage'>, ms: number): keyof SkippedRecords | undefined =>
  p.timestamp !== null && !(ms >= FIRST_MS && ms <= LAST_MS)
    ? 'badTimestamp'
    : !usageInRange(p.usage)
      ? 'tokensOutOfRange'
      : undefined;

/**
 * The responses a selection counts, each given with its instant (NaN without a timestamp); the
 * impossible ones are counted in `skipped` by why and left out. The one walk a report and a home's
 * sums (reportSums.ts) make, so both leave out the same responses.
 */
export const eachCountableResponse = (
  counted: ReadonlyArray<{ readonly response: CountedResponse }>,
  skipped: { -readonly [K in keyof SkippedRecords]: number },
  each: (p: CountedResponse, ms: number) => void,
): void => {
  for (const { response: p } of counted) {
    const ms = p.timestamp === null ? Number.NaN : Date.parse(p.timestamp);
    const skip = skipOf(p, ms);
    if (skip !== undefined) skipped[skip] += 1;
    else each(p, ms);
  }
};

/** The Monday (YYYY-MM-DD) of a day's week. */
const mondayOf = (day: string): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

/** A response, or a bucket of them, as the groups read it. */
interface Entry {
  readonly threadId: string;
  readonly turnId: string | null;
  /** The instant its keys are taken from (a bucket's first; all of it is in the same day, week, month and block). */
  readonly timestamp: string | null;
  readonly ms: number;
  /** Its last instant (a bucket's; a response's own). */
  readonly lastMs: number;
  readonly model: string | null;
  readonly provider: string | null;
  readonly cwd: string | null;
  readonly usage: Usage;
  readonly responses: number;
}

const keyOf = (d: Exclude<TokenDimension, 'block'>, p: Entry, options: TokenReportOptions): string | null => {
  switch (d) {
    case 'thread':
      return p.threadId;
    case 'turn':
      return p.turnId;
    case 'dayUtc':
      return p.timestamp === null ? null : p.timestamp.slice(0, 10);
    case 'dayLocal':
      return p.timestamp === null ? null : options.localDay(p.timestamp);
    case 'week':
      return p.timestamp === null ? null : mondayOf(options.localDay(p.timestamp));
    case 'month':
      return p.timestamp === null ? null : options.localDay(p.timestamp).slice(0, 7);
    case 'model':
      return p.model;
    case 'provider':
      return p.provider;
    case 'cwd':
      return p.cwd;
    case 'client':
      return options.clientOf?.(p.threadId) ?? null;
  }
};

const BLOCK_MS = 5 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Each timed entry's 5-hour block (its start, ISO), as ccusage's `identifySessionBlocks` draws them
 * over responses: a bucket lies within a 15-minute slot, so none of its responses starts a block
 * but its first (block ends are whole hours) and no gap inside it reaches 5 hours.
 */
const blocksOf = (timed: ReadonlyArray<Entry>): Map<Entry, string> => {
  const out = new Map<Entry, string>();
  let start = Number.NaN;
  let last = Number.NaN;
  for (const e of [...timed].sort((a, b) => a.ms - b.ms)) {
    if (Number.isNaN(start) || e.ms - start >= BLOCK_MS || e.ms - last >= BLOCK_MS)
      start = Math.floor(e.ms / HOUR_MS) * HOUR_MS;
    if (Number.isNaN(last) || e.lastMs > last) last = e.lastMs;
    out.set(e, new Date(start).toISOString());
  }
  return out;
};
const byKey = (a: UsageGroup, b: UsageGroup): number => {
  const x = `${a.threadId ?? ''}\u0000${a.key ?? ''}`;
  const y = `${b.threadId ?? ''}\u0000${b.key ?? ''}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Days, weeks, months, blocks and turns read in time order; the other dimensions largest first. */
const inTimeOrder: ReadonlySet<TokenDimension> = new Set(['dayUtc', 'dayLocal', 'week', 'month', 'block', 'turn']);

type Sum = { -readonly [K in keyof UsageSum]: number };
type Acc = Sum & { key: string | null; threadId?: string; models: Map<string, Sum & { model: string | null }> };

const emptyAcc = (): Sum => ({ ...ZERO_USAGE, responses: 0 });

/** Add `responses` responses' usage into an accumulator in place (hot loop: tens of thousands of responses × dimensions). */
const accumulate = (a: Sum, u: Usage, responses: number): void => {
  a.inputTokens += u.inputTokens;
  a.cachedInputTokens += u.cachedInputTokens;
  a.cacheWriteInputTokens += u.cacheWriteInputTokens;
  a.outputTokens += u.outputTokens;
  a.reasoningOutputTokens += u.reasoningOutputTokens;
  a.totalTokens += u.totalTokens;
  a.responses += responses;
};

const accumulateWithModel = (a: Acc, u: Usage, model: string | null, responses: number): void => {
  accumulate(a, u, responses);
  const slot = model ?? '\u0001';
  let m = a.models.get(slot);
  if (m === undefined) {
    m = { ...emptyAcc(), model };
    a.models.set(slot, m);
  }
  accumulate(m, u, responses);
};

const byTotal = (a: { totalTokens: number }, b: { totalTokens: number }): number => b.totalTokens - a.totalTokens;

/** A group's sums with its per-model rows and its cost: the priced part and the models it leaves out (`totalCost`). */
const priced = (a: Acc, pricing: PricingTable, unpriced: Set<string>): UsageGroup => {
  const models = [...a.models.values()].sort(byTotal).map((m): ModelUsage => {
    const p = m.model === null ? undefined : priceOf(pricing, m.model);
    // A model without a price but without tokens costs nothing: it is not said to be missing.
    const cost = p === undefined ? (m.totalTokens > 0 ? null : 0) : costOf(m, p);
    if (cost === null) unpriced.add(m.model ?? NO_MODEL_RECORDED);
    return { ...m, ...totalCost([{ cost, model: m.model ?? NO_MODEL_RECORDED }]) };
  });
  const { models: _models, ...sums } = a;
  return {
    ...sums,
    models,
    ...totalCost(models.map((m) => ({ cost: m.costUsd, model: m.model ?? NO_MODEL_RECORDED }))),
  };
};

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

/** Where a bucket stands against a report's range: all in, all out, or cut (then its responses must be read). */
export const bucketInRange = (
  b: Pick<UsageBucket, 'firstMs' | 'lastMs'>,
  options: Pick<TokenReportOptions, 'sinceMs' | 'untilMs'>,
): 'in' | 'out' | 'cut' => {
  const { sinceMs, untilMs } = options;
  if (sinceMs === undefined && untilMs === undefined) return 'in';
  if (b.firstMs === null || b.lastMs === null) return 'out';
  const inside = (ms: number) => (sinceMs === undefined || ms >= sinceMs) && (untilMs === undefined || ms < untilMs);
  const first = inside(b.firstMs);
  if (first !== inside(b.lastMs)) return 'cut';
  // Both ends inside means all inside (an interval); both outside may still hold the range between them.
  if (first) return 'in';
  return (sinceMs !== undefined && b.lastMs < sinceMs) || (untilMs !== undefined && b.firstMs >= untilMs)
    ? 'out'
    : 'cut';
};

/**
 * The token report of a set of stored responses and buckets (pure): each response once, summed
 * per group, priced per model. Buckets hold responses no row duplicates (the caller's to ensure:
 * `replay/tokens/auditTokenUsage.ts`), none cut by the range, and are not asked for turns.
 * long: not split yet (issue 71): one pass grouping and pricing the rows and buckets
 */
export const buildTokenReport = (
  rows: ReadonlyArray<StoredResponse>,
  options: TokenReportOptions,
  buckets: ReadonlyArray<UsageBucket> = [],
): TokenReport => {
  const selection = selectResponses(rows);
  const dims = options.dimensions ?? TOKEN_DIMENSIONS;
  if (buckets.length > 0 && dims.includes('turn'))
    throw new Error('token buckets hold no turns: a report by turn reads rows');
  const ranged = options.sinceMs !== undefined || options.untilMs !== undefined;
  const total: Acc = { ...emptyAcc(), key: null, models: new Map() };
  let outsideRange = 0;
  const maps = Object.fromEntries(TOKEN_DIMENSIONS.map((d) => [d, new Map<string, Acc>()])) as Record<
    TokenDimension,
    Map<string, Acc>
  >;
  const keyed = dims.filter((d): d is Exclude<TokenDimension, 'block'> => d !== 'block');
  const byBlock = dims.includes('block');
  const timed: Entry[] = [];
  const add = (d: TokenDimension, key: string | null, threadId: string | undefined, e: Entry): void => {
    const slot = `${threadId ?? ''}\u0000${key === null ? '\u0001' : key}`;
    let g = maps[d].get(slot);
    if (g === undefined) {
      g = { ...emptyAcc(), key, ...(threadId === undefined ? {} : { threadId }), models: new Map() };
      maps[d].set(slot, g);
    }
    accumulateWithModel(g, e.usage, e.model, e.responses);
  };
  const count = (e: Entry): void => {
    accumulateWithModel(total, e.usage, e.model, e.responses);
    for (const d of keyed) add(d, keyOf(d, e, options), d === 'turn' ? e.threadId : undefined, e);
    if (!byBlock) return;
    if (Number.isNaN(e.ms)) add('block', null, undefined, e);
    else timed.push(e);
  };
  const skipped = { badTimestamp: 0, tokensOutOfRange: 0 };
  eachCountableResponse(selection.counted, skipped, (p, ms) => {
    if (
      ranged &&
      (Number.isNaN(ms) ||
        (options.sinceMs !== undefined && ms < options.sinceMs) ||
        (options.untilMs !== undefined && ms >= options.untilMs))
    ) {
      outsideRange += 1;
      return;
    }
    count({
      threadId: p.threadId,
      turnId: p.turnId,
      // Days are read from the text: one with an offset is read as the UTC instant it names.
      timestamp: p.timestamp === null || isCanonicalUtc(p.timestamp) ? p.timestamp : new Date(ms).toISOString(),
      ms,
      lastMs: ms,
      model: p.model,
      provider: p.provider,
      cwd: p.cwd,
      usage: p.usage,
      responses: 1,
    });
  });
  for (const b of buckets) {
    const where = bucketInRange(b, options);
    if (where === 'cut') throw new Error('a token bucket cut by the range: its responses must be read');
    // An index written before counts were checked may hold a bucket of impossible ones.
    if (!usageInRange(b.usage, b.responses)) {
      skipped.tokensOutOfRange += b.responses;
      continue;
    }
    if (where === 'out') {
      outsideRange += b.responses;
      continue;
    }
    const first = b.firstMs === null ? null : new Date(b.firstMs).toISOString();
    count({
      threadId: b.threadId,
      turnId: null,
      timestamp: first,
      ms: b.firstMs ?? Number.NaN,
      lastMs: b.lastMs ?? Number.NaN,
      model: b.model,
      provider: b.provider,
      cwd: b.cwd,
      usage: b.usage,
      responses: b.responses,
    });
  }
  for (const [e, block] of blocksOf(timed)) add('block', block, undefined, e);
  const unpriced = new Set<string>();
  const groups = Object.fromEntries(
    TOKEN_DIMENSIONS.map((d) => {
      const gs = [...maps[d].values()].map((a) => priced(a, options.pricing, unpriced));
      return [d, inTimeOrder.has(d) ? gs.sort(byKey) : gs.sort((a, b) => byTotal(a, b) || byKey(a, b))];
    }),
  ) as Record<TokenDimension, UsageGroup[]>;
  const { key: _key, ...totalSums } = priced(total, options.pricing, unpriced);
  return {
    total: totalSums,
    unpricedModels: [...unpriced].sort(),
    groups,
    duplicateRecords: selection.duplicateRecords,
    copiedCounts: selection.copiedCounts,
    outsideRange,
    skippedRecords: skipped,
  };
};
