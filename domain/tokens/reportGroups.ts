import type { Usage } from './usage.js';
import type { PricingTable } from './pricing.js';
import { costOf, priceOf } from './pricing.js';
import type { ModelUsage, TokenDimension, TokenReportOptions, UsageGroup, UsageSum } from './reportShape.js';
import { NO_MODEL_RECORDED, TOKEN_DIMENSIONS, totalCost } from './reportShape.js';

// A token report's groups: each counted entry summed into its group of every dimension, then priced per model.

/** The Monday (YYYY-MM-DD) of a day's week. */
const mondayOf = (day: string): string => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
};

/** A response, or a bucket of them, as the groups read it. */
export interface Entry {
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
/** A group's sums, or a model's within it (`key` the model; `models` null). */
type Acc = Sum & { key: string | null; threadId: string | undefined; models: Map<string, Acc> | null };

/**
 * A fresh accumulator. It and every object kept in numbers here are written as one literal of all
 * their fields (a group and a model row in the order their JSON shows them): made by a spread,
 * `Object.assign` or object rest, each got a hidden class of its own in a CLI on Node 20 (past a
 * few thousand shapes, V8 stops sharing the classes it derives from a plain object's). A report
 * holds a group a thread: two hidden classes a group were 60 MB on a home of 82,000 threads
 * (measured in the commit that made it).
 */
const accOf = (key: string | null, threadId: string | undefined, models: Map<string, Acc> | null): Acc => ({
  inputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 0,
  reasoningOutputTokens: 0,
  totalTokens: 0,
  responses: 0,
  key,
  threadId,
  models,
});

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
  let m = a.models!.get(slot);
  if (m === undefined) {
    m = accOf(model, undefined, null);
    a.models!.set(slot, m);
  }
  accumulate(m, u, responses);
};

const byTotal = (a: { totalTokens: number }, b: { totalTokens: number }): number => b.totalTokens - a.totalTokens;
/**
 * A group's models, largest first, then by name (none recorded last): a tie kept in the order the
 * models were met would differ between a report read from the sums and one read from the rows.
 */
const byModelTotal = (a: Acc, b: Acc): number =>
  byTotal(a, b) || (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1);

/**
 * A group's sums with its per-model rows and its cost: the priced part and the models it leaves out
 * (`totalCost`); a turn's names its thread after its key. Two literals, one a shape (`accOf` says why).
 */
const priced = (a: Acc, pricing: PricingTable, unpriced: Set<string>): UsageGroup => {
  const models = [...a.models!.values()].sort(byModelTotal).map((m): ModelUsage => {
    const p = m.key === null ? undefined : priceOf(pricing, m.key);
    // A model without a price but without tokens costs nothing: it is not said to be missing.
    const cost = p === undefined ? (m.totalTokens > 0 ? null : 0) : costOf(m, p);
    if (cost === null) unpriced.add(m.key ?? NO_MODEL_RECORDED);
    const c = totalCost([{ cost, model: m.key ?? NO_MODEL_RECORDED }]);
    return {
      inputTokens: m.inputTokens,
      cachedInputTokens: m.cachedInputTokens,
      cacheWriteInputTokens: m.cacheWriteInputTokens,
      outputTokens: m.outputTokens,
      reasoningOutputTokens: m.reasoningOutputTokens,
      totalTokens: m.totalTokens,
      responses: m.responses,
      model: m.key,
      costUsd: c.costUsd,
      pricedCostUsd: c.pricedCostUsd,
      unpricedModels: c.unpricedModels,
    };
  });
  const c = totalCost(models.map((m) => ({ cost: m.costUsd, model: m.model ?? NO_MODEL_RECORDED })));
  const { inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, reasoningOutputTokens, totalTokens } = a;
  const { responses, key, threadId } = a;
  const { costUsd, pricedCostUsd, unpricedModels } = c;
  // prettier-ignore
  return threadId === undefined
    ? { inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, reasoningOutputTokens, totalTokens, responses,
        key, models, costUsd, pricedCostUsd, unpricedModels }
    : { inputTokens, cachedInputTokens, cacheWriteInputTokens, outputTokens, reasoningOutputTokens, totalTokens, responses,
        key, threadId, models, costUsd, pricedCostUsd, unpricedModels };
};

/** The groups a report tallies: `count` sums each entry in, `priceGroups` prices them once every entry is in. */
export interface GroupTally {
  readonly count: (e: Entry) => void;
  readonly priceGroups: (pricing: PricingTable) => {
    readonly total: Omit<UsageGroup, 'key'>;
    readonly unpricedModels: ReadonlyArray<string>;
    readonly groups: Record<TokenDimension, UsageGroup[]>;
  };
}

export const groupTally = (dims: ReadonlyArray<TokenDimension>, options: TokenReportOptions): GroupTally => {
  const total = accOf(null, undefined, new Map());
  const maps = Object.fromEntries(TOKEN_DIMENSIONS.map((d) => [d, new Map<string, Acc>()])) as Record<
    TokenDimension,
    Map<string, Acc>
  >;
  const keyed = dims.filter((d): d is Exclude<TokenDimension, 'block'> => d !== 'block');
  const byBlock = dims.includes('block');
  // Blocks are drawn over every timed entry at once (`blocksOf`), when the groups are priced.
  const timed: Entry[] = [];
  const add = (d: TokenDimension, key: string | null, threadId: string | undefined, e: Entry): void => {
    const slot = `${threadId ?? ''}\u0000${key === null ? '\u0001' : key}`;
    let g = maps[d].get(slot);
    if (g === undefined) {
      g = accOf(key, threadId, new Map());
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
  const priceGroups: GroupTally['priceGroups'] = (pricing) => {
    for (const [e, block] of blocksOf(timed)) add('block', block, undefined, e);
    const unpriced = new Set<string>();
    const groups = Object.fromEntries(
      TOKEN_DIMENSIONS.map((d) => {
        // Each accumulator let go as its group is made: a report by thread holds one a thread.
        const gs: UsageGroup[] = [];
        for (const [slot, a] of maps[d]) {
          gs.push(priced(a, pricing, unpriced));
          maps[d].delete(slot);
        }
        return [d, inTimeOrder.has(d) ? gs.sort(byKey) : gs.sort((a, b) => byTotal(a, b) || byKey(a, b))];
      }),
    ) as Record<TokenDimension, UsageGroup[]>;
    const { key: _key, ...totalSums } = priced(total, pricing, unpriced);
    return { total: totalSums, unpricedModels: [...unpriced].sort(), groups };
  };
  return { count, priceGroups };
};
