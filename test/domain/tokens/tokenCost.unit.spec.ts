import { expect } from 'chai';
import { buildTokenReport } from '../../../domain/tokens/report.js';
import type { StoredResponse } from '../../../domain/tokens/selectResponses.js';
import { DEFAULT_PRICING, NO_PUBLISHED_PRICE, costOf, priceOf } from '../../../domain/tokens/pricing.js';
import type { Usage } from '../../../domain/tokens/usage.js';
import { storedResponse } from '../../fixtures/storedResponse.js';

const usage = (input: number, cached: number, output: number, reasoning = 0): Usage => ({
  inputTokens: input,
  cachedInputTokens: cached,
  cacheWriteInputTokens: 0,
  outputTokens: output,
  reasoningOutputTokens: reasoning,
  totalTokens: input + output,
});

const response = (threadId: string, timestamp: string, model: string | null, u: Usage): StoredResponse =>
  storedResponse({ threadId, timestamp, model, usage: u });

const report = (rows: StoredResponse[]) =>
  buildTokenReport(rows, {
    localDay: (iso) => iso.slice(0, 10),
    pricing: DEFAULT_PRICING,
    clientOf: (id) => (id === 'a' ? 'codex_cli_rs' : 'codex_vscode'),
  });

describe('token report: cost, weeks, months, clients and 5-hour blocks', () => {
  it('prices two models by hand against the table shipped (gpt-5: $1.25 / $0.125 / $10; o4-mini: $1.10 / $0.275 / $4.40 per million)', () => {
    // gpt-5: 1,000,000 input of which 400,000 cached, 200,000 output (50,000 of them reasoning):
    // 600,000 × 1.25 + 400,000 × 0.125 + 200,000 × 10 = 0.75 + 0.05 + 2.00 = $2.80.
    expect(costOf(usage(1_000_000, 400_000, 200_000, 50_000), priceOf(DEFAULT_PRICING, 'gpt-5')!)).to.be.closeTo(
      2.8,
      1e-12,
    );
    // o4-mini: 2,000,000 input, none cached, 500,000 output: 2 × 1.10 + 0.5 × 4.40 = $4.40.
    expect(costOf(usage(2_000_000, 0, 500_000), priceOf(DEFAULT_PRICING, 'o4-mini')!)).to.be.closeTo(4.4, 1e-12);
    // A dated snapshot is priced as its model; an unknown model has no price.
    expect(priceOf(DEFAULT_PRICING, 'gpt-5-2025-08-07')).to.deep.equal(priceOf(DEFAULT_PRICING, 'gpt-5'));
    expect(priceOf(DEFAULT_PRICING, 'mock-model')).to.equal(undefined);
    const r = report([
      response('a', '2026-11-02T10:00:00Z', 'gpt-5', usage(1_000_000, 400_000, 200_000, 50_000)),
      response('b', '2026-11-02T11:00:00Z', 'o4-mini', usage(2_000_000, 0, 500_000)),
    ]);
    expect(r.total.costUsd).to.be.closeTo(7.2, 1e-9);
    expect(r.groups.model.map((g) => [g.key, g.costUsd])).to.deep.equal([
      ['o4-mini', 4.4],
      ['gpt-5', 2.8],
    ]);
    expect(r.unpricedModels).to.deep.equal([]);
  });

  it('prices cache writes (a part of the input) at their own price where the model has one, else at the input price', () => {
    const written = (input: number, cached: number, write: number, output: number): Usage => ({
      ...usage(input, cached, output),
      cacheWriteInputTokens: write,
    });
    // gpt-6-sol ($2 / $0.20 cached / $2.50 written / $10 per million): 1,000,000 input of which
    // 200,000 cached and 100,000 written, 50,000 output: 0.7 × 2 + 0.2 × 0.2 + 0.1 × 2.5 + 0.05 × 10 = $2.19.
    expect(costOf(written(1_000_000, 200_000, 100_000, 50_000), priceOf(DEFAULT_PRICING, 'gpt-6-sol')!)).to.be.closeTo(
      2.19,
      1e-12,
    );
    // gpt-5 has no cache-write price: the 100,000 written cost the input price, as fresh input.
    expect(costOf(written(1_000_000, 200_000, 100_000, 50_000), priceOf(DEFAULT_PRICING, 'gpt-5')!)).to.be.closeTo(
      costOf(usage(1_000_000, 200_000, 50_000), priceOf(DEFAULT_PRICING, 'gpt-5')!),
      1e-12,
    );
    // More written than the uncached input holds (a damaged record) bills no input twice.
    expect(
      costOf(written(100, 60, 80, 0), {
        inputPerMTok: 1e6,
        cachedInputPerMTok: 0,
        outputPerMTok: 0,
        cacheWriteInputPerMTok: 0,
      }),
    ).to.equal(0);
  });

  it('a Codex model said to have no published price has none in the table shipped (a refresh that prices one cuts it from the list)', () => {
    for (const m of NO_PUBLISHED_PRICE.keys()) expect(priceOf(DEFAULT_PRICING, m), m).to.equal(undefined);
  });

  it('an unpriced model makes its groups cost unknown (null), never free, and is named; the priced part is kept', () => {
    const r = report([
      response('a', '2026-11-02T10:00:00Z', 'gpt-5', usage(100, 0, 10)),
      response('a', '2026-11-02T10:01:00Z', 'house-model', usage(100, 0, 10)),
    ]);
    expect(r.total.costUsd).to.equal(null);
    // gpt-5: 100 × 1.25 + 10 × 10 per million.
    expect(r.total.pricedCostUsd).to.be.closeTo(0.000225, 1e-15);
    expect(r.total.unpricedModels).to.deep.equal(['house-model']);
    expect(r.groups.thread[0]!.costUsd).to.equal(null);
    expect(r.groups.thread[0]!.models.map((m) => [m.model, m.costUsd === null])).to.deep.equal([
      ['gpt-5', false],
      ['house-model', true],
    ]);
    expect(r.unpricedModels).to.deep.equal(['house-model']);
  });

  it('groups by week (from Monday), month and client', () => {
    const r = report([
      response('a', '2026-11-01T12:00:00Z', 'gpt-5', usage(10, 0, 1)), // a Sunday: the week of Monday 26 October
      response('a', '2026-11-02T12:00:00Z', 'gpt-5', usage(10, 0, 1)), // Monday
      response('b', '2026-12-01T12:00:00Z', 'gpt-5', usage(10, 0, 1)),
    ]);
    expect(r.groups.week.map((g) => [g.key, g.responses])).to.deep.equal([
      ['2026-10-26', 1],
      ['2026-11-02', 1],
      ['2026-11-30', 1],
    ]);
    expect(r.groups.month.map((g) => [g.key, g.responses])).to.deep.equal([
      ['2026-11', 2],
      ['2026-12', 1],
    ]);
    expect(r.groups.client.map((g) => [g.key, g.responses])).to.deep.equal([
      ['codex_cli_rs', 2],
      ['codex_vscode', 1],
    ]);
  });

  it('draws 5-hour blocks as ccusage does: from the hour of the first response, a new one past 5 hours from its start or after a 5-hour gap', () => {
    const r = report([
      response('a', '2026-11-02T10:25:00Z', 'gpt-5', usage(10, 0, 1)),
      response('a', '2026-11-02T14:59:00Z', 'gpt-5', usage(10, 0, 1)), // within 10:00–15:00
      response('a', '2026-11-02T15:00:00Z', 'gpt-5', usage(10, 0, 1)), // 5 h from the start: a new block at 15:00
      response('a', '2026-11-02T23:30:00Z', 'gpt-5', usage(10, 0, 1)), // after a gap: a block at 23:00
    ]);
    expect(r.groups.block.map((g) => [g.key, g.responses])).to.deep.equal([
      ['2026-11-02T10:00:00.000Z', 2],
      ['2026-11-02T15:00:00.000Z', 1],
      ['2026-11-02T23:00:00.000Z', 1],
    ]);
  });
});
