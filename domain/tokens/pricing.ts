import * as t from 'io-ts';
import type { Usage } from './usage.js';

/**
 * What tokens cost, per model, in USD per million tokens: fresh input, cached input, output
 * (reasoning tokens are output tokens, as the API bills them). The table shipped here is OpenAI's
 * published API prices for the models Codex runs; `tokens --pricing FILE` replaces it (same shape,
 * decoded with `PricingTable`). A model the table does not name has no cost: it is reported as
 * unpriced, never counted as free.
 */
const NonNegative = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a price of at least 0');
export const ModelPrice = t.type({ inputPerMTok: NonNegative, cachedInputPerMTok: NonNegative, outputPerMTok: NonNegative });
export type ModelPrice = t.TypeOf<typeof ModelPrice>;

export const PricingTable = t.type({
  /** Where the prices come from. */
  source: t.string,
  /** When they were taken (YYYY-MM-DD). */
  asOf: t.string,
  models: t.record(t.string, ModelPrice),
});
export type PricingTable = t.TypeOf<typeof PricingTable>;

const price = (inputPerMTok: number, cachedInputPerMTok: number, outputPerMTok: number): ModelPrice => ({ inputPerMTok, cachedInputPerMTok, outputPerMTok });

export const DEFAULT_PRICING: PricingTable = {
  source: 'OpenAI API pricing (platform.openai.com/docs/pricing), standard tier',
  asOf: '2025-11-20',
  models: {
    'gpt-5': price(1.25, 0.125, 10),
    'gpt-5-codex': price(1.25, 0.125, 10),
    'gpt-5.1': price(1.25, 0.125, 10),
    'gpt-5.1-codex': price(1.25, 0.125, 10),
    'gpt-5.1-codex-max': price(1.25, 0.125, 10),
    'gpt-5-mini': price(0.25, 0.025, 2),
    'gpt-5.1-codex-mini': price(0.25, 0.025, 2),
    'gpt-5-nano': price(0.05, 0.005, 0.4),
    'gpt-5-pro': price(15, 15, 120),
    'codex-mini-latest': price(1.5, 0.375, 6),
    'gpt-4.1': price(2, 0.5, 8),
    'gpt-4.1-mini': price(0.4, 0.1, 1.6),
    'gpt-4.1-nano': price(0.1, 0.025, 0.4),
    'gpt-4o': price(2.5, 1.25, 10),
    'gpt-4o-mini': price(0.15, 0.075, 0.6),
    o3: price(2, 0.5, 8),
    'o3-pro': price(20, 20, 80),
    'o4-mini': price(1.1, 0.275, 4.4),
  },
};

/** A dated snapshot name (`gpt-5-2025-08-07`) priced as its model. */
const DATED = /-\d{4}-\d{2}-\d{2}$/;

/** The price of `model`: its own entry, else its undated name's; undefined when the table has neither. */
export const priceOf = (table: PricingTable, model: string): ModelPrice | undefined => ownPrice(table, model) ?? ownPrice(table, model.replace(DATED, ''));

/** The table's own entry only: a model named `constructor` or `toString` is not priced by what every object inherits (its cost was NaN). */
const ownPrice = (table: PricingTable, model: string): ModelPrice | undefined => (Object.hasOwn(table.models, model) ? table.models[model] : undefined);

/** The cost in USD of `usage` at `p`: cached input at its own price, the rest of the input at the input price, output (reasoning included) at the output price. */
export const costOf = (usage: Usage, p: ModelPrice): number => {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  return ((usage.inputTokens - cached) * p.inputPerMTok + cached * p.cachedInputPerMTok + usage.outputTokens * p.outputPerMTok) / 1_000_000;
};
