import { expect } from 'chai';
import fc from 'fast-check';
import { NO_MODEL_RECORDED, TOKEN_DIMENSIONS, buildTokenReport } from '../../../domain/tokens/report.js';
import type { ModelUsage, Priced } from '../../../domain/tokens/report.js';
import { DEFAULT_PRICING, costOf, priceOf, withPrices } from '../../../domain/tokens/pricing.js';
import type { PricingTable } from '../../../domain/tokens/pricing.js';
import type { Usage } from '../../../domain/tokens/usage.js';
import { costText } from '../../../adapters/driving/cli/commands/tokensTable.js';
import { storedResponse } from '../../fixtures/storedResponse.js';

// Issue 72: a report always has a total. A sum holding an unpriced model's tokens says the part
// the table prices and names the models left out, instead of a bare null (`?`).
const HOUSE: PricingTable = {
  source: 'mine',
  asOf: '2026-11-27',
  models: { 'house-model': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 } },
};

const usageArb: fc.Arbitrary<Usage> = fc
  .record({
    input: fc.integer({ min: 0, max: 2_000_000 }),
    cachedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    output: fc.integer({ min: 0, max: 200_000 }),
  })
  .map(({ input, cachedShare, output }) => ({
    inputTokens: input,
    cachedInputTokens: Math.floor(input * cachedShare),
    cacheWriteInputTokens: 0,
    outputTokens: output,
    reasoningOutputTokens: 0,
    totalTokens: input + output,
  }));

const responseArb = fc.record({
  threadId: fc.constantFrom('a', 'b', 'c'),
  // Monday 2026-11-02 .. 2026-11-20: days, weeks and blocks of several responses each.
  ms: fc.integer({ min: Date.parse('2026-11-02T00:00:00Z'), max: Date.parse('2026-11-20T00:00:00Z') }),
  // Priced by the table shipped (one as a dated snapshot), by HOUSE only, by none, and no model.
  model: fc.constantFrom<string | null>('gpt-5', 'gpt-5-2025-08-07', 'o4-mini', 'house-model', 'other-model', null),
  usage: usageArb,
});

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** The total rule, for one sum and its model rows: the priced part is the priced rows' sum, the missing list exactly the unpriced rows' models. */
const holdsTheRule = (sum: Priced, models: ReadonlyArray<ModelUsage>): void => {
  const pricedRows = models.filter((m) => m.costUsd !== null);
  expect(
    near(
      sum.pricedCostUsd,
      pricedRows.reduce((s, m) => s + m.costUsd!, 0),
    ),
    `${sum.pricedCostUsd}`,
  ).to.equal(true);
  expect(sum.unpricedModels).to.deep.equal(
    [...new Set(models.filter((m) => m.costUsd === null).map((m) => m.model ?? NO_MODEL_RECORDED))].sort(),
  );
  expect(sum.costUsd).to.equal(sum.unpricedModels.length === 0 ? sum.pricedCostUsd : null);
};

describe('token report: a partial total, the priced part and the models left out', () => {
  for (const [name, pricing] of [
    ['the table shipped', DEFAULT_PRICING],
    ['the table shipped with a file pricing house-model over it', withPrices(DEFAULT_PRICING, HOUSE)],
  ] as const)
    it(`at ${name}: every sum's priced part is its priced rows' sum (the responses' costs, by hand), its missing list exactly its unpriced models`, () => {
      fc.assert(
        fc.property(fc.array(responseArb, { minLength: 1, maxLength: 40 }), (drawn) => {
          const rows = drawn.map((d) =>
            storedResponse({
              threadId: d.threadId,
              timestamp: new Date(d.ms).toISOString(),
              model: d.model,
              usage: d.usage,
            }),
          );
          const r = buildTokenReport(rows, { localDay: (iso) => iso.slice(0, 10), pricing });
          // By hand from the responses: each priced one at its model's price; the unpriced models with tokens.
          let byHand = 0;
          const missing = new Set<string>();
          for (const d of drawn) {
            const p = d.model === null ? undefined : priceOf(pricing, d.model);
            if (p !== undefined) byHand += costOf(d.usage, p);
            else if (d.usage.totalTokens > 0) missing.add(d.model ?? NO_MODEL_RECORDED);
          }
          expect(near(r.total.pricedCostUsd, byHand), `${r.total.pricedCostUsd} against ${byHand}`).to.equal(true);
          expect(r.total.unpricedModels).to.deep.equal([...missing].sort());
          expect(r.unpricedModels).to.deep.equal(r.total.unpricedModels);
          holdsTheRule(r.total, r.total.models);
          for (const d of TOKEN_DIMENSIONS)
            for (const g of r.groups[d]) {
              holdsTheRule(g, g.models);
              for (const m of g.models) holdsTheRule(m, [m]);
            }
          // Every grouping covers the responses: its groups' priced parts add up to the total's.
          for (const d of TOKEN_DIMENSIONS)
            expect(
              near(
                r.groups[d].reduce((s, g) => s + g.pricedCostUsd, 0),
                r.total.pricedCostUsd,
              ),
              d,
            ).to.equal(true);
        }),
        { numRuns: 300 },
      );
    });

  it('an unpriced model with no tokens is not missing: the sum stays whole', () => {
    const zero: Usage = {
      inputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 0,
      reasoningOutputTokens: 0,
      totalTokens: 0,
    };
    const some: Usage = { ...zero, inputTokens: 1_000_000, totalTokens: 1_000_000 };
    const r = buildTokenReport(
      [
        storedResponse({ timestamp: '2026-11-02T10:00:00Z', model: 'gpt-5', usage: some }),
        storedResponse({ timestamp: '2026-11-02T10:01:00Z', model: 'other-model', usage: zero }),
      ],
      { localDay: (iso) => iso.slice(0, 10), pricing: DEFAULT_PRICING },
    );
    expect([r.total.costUsd, r.total.pricedCostUsd, r.total.unpricedModels]).to.deep.equal([1.25, 1.25, []]);
  });

  it('the table renders a partial cost as its priced part + ? naming the models left out', () => {
    expect(costText({ costUsd: null, pricedCostUsd: 0.18, unpricedModels: ['mock-model'] })).to.equal(
      '$0.18 + ? (mock-model: no price)',
    );
    expect(costText({ costUsd: null, pricedCostUsd: 0, unpricedModels: ['a', 'b'] })).to.equal('? (a, b: no price)');
    expect(costText({ costUsd: 0.0014, pricedCostUsd: 0.0014, unpricedModels: [] })).to.equal('$0.0014');
    // A model name is the home's text: its controls are escaped.
    expect(costText({ costUsd: null, pricedCostUsd: 1, unpricedModels: ['x\u001b[2Jy'] })).not.to.contain('\u001b');
  });
});

describe('--pricing FILE adds to the table shipped, model by model', () => {
  it('a file of the unpriced model only leaves every shipped price as it was, and prices that model', () => {
    const t = withPrices(DEFAULT_PRICING, HOUSE);
    for (const m of Object.keys(DEFAULT_PRICING.models))
      expect(priceOf(t, m), m).to.deep.equal(priceOf(DEFAULT_PRICING, m));
    expect(priceOf(t, 'house-model')).to.deep.equal(HOUSE.models['house-model']);
    expect(t.source).to.equal(`mine (as of 2026-11-27) over ${DEFAULT_PRICING.source}`);
    expect(t.asOf).to.equal(DEFAULT_PRICING.asOf);
  });

  it('a model the file names takes its price, with its dated snapshots unless the file names them too', () => {
    const mine = { inputPerMTok: 9, cachedInputPerMTok: 9, outputPerMTok: 9 };
    expect(priceOf(DEFAULT_PRICING, 'gpt-5-2025-08-07')).not.to.equal(undefined);
    const t = withPrices(DEFAULT_PRICING, { source: 'mine', asOf: '2026-11-27', models: { 'gpt-5': mine } });
    expect(priceOf(t, 'gpt-5')).to.deep.equal(mine);
    expect(priceOf(t, 'gpt-5-2025-08-07')).to.deep.equal(mine);
    expect(priceOf(t, 'o4-mini')).to.deep.equal(priceOf(DEFAULT_PRICING, 'o4-mini'));
    const dated = { inputPerMTok: 1, cachedInputPerMTok: 1, outputPerMTok: 1 };
    const both = withPrices(DEFAULT_PRICING, {
      source: 'mine',
      asOf: '2026-11-27',
      models: { 'gpt-5': mine, 'gpt-5-2025-08-07': dated },
    });
    expect(priceOf(both, 'gpt-5-2025-08-07')).to.deep.equal(dated);
  });

  it("a model a file names __proto__ is an entry of its own, not the table's prototype", () => {
    const odd = { inputPerMTok: 3, cachedInputPerMTok: 3, outputPerMTok: 3 };
    const t = withPrices(DEFAULT_PRICING, {
      source: 'mine',
      asOf: '2026-11-27',
      models: JSON.parse(`{"__proto__": ${JSON.stringify(odd)}}`),
    });
    expect(priceOf(t, '__proto__')).to.deep.equal(odd);
    expect(Object.getPrototypeOf(t.models)).to.equal(Object.prototype);
    expect(priceOf(t, 'inputPerMTok')).to.equal(undefined);
  });
});
