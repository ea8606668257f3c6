import { expect } from 'chai';
import { DEFAULT_PRICING } from '../../domain/tokens/pricing.js';
import { readTokenCharts } from '../../replay/tokens/readTokenCharts.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { newThread } from '../projections/synth.js';
import type { MutationHome } from './mutationHome.js';
import { openMutationHome, right } from './mutationHome.js';

describe('rolloutEngine/tokens/charts: the home token audit per UTC day and per model', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-token-charts-');
  let m: MutationHome;

  before(async () => {
    await writeSynthThread(dir(), newThread(1), 3);
    m = await openMutationHome(dir());
  });
  after(async () => m.close());

  it('days in order, models by size, the total; a thread written after the index was opened is counted (caught up first)', async () => {
    const first = await right(readTokenCharts(m.ports, null, { pricing: DEFAULT_PRICING }));
    expect(first.total.responses).to.equal(3);
    expect(first.days.map((d) => d.key)).to.deep.equal(['2026-11-21']);
    expect(first.models.map((g) => [g.key, g.totalTokens])).to.deep.equal([['mock-model', first.total.totalTokens]]);
    // 4,000 turns of 11 lines a second apart from 14:00: the second thread runs past midnight UTC.
    await writeSynthThread(dir(), newThread(2), 4000);
    const second = await right(readTokenCharts(m.ports, null, { pricing: DEFAULT_PRICING }));
    expect(second.total.responses).to.equal(3 + 4000);
    expect(second.days.map((d) => d.key)).to.deep.equal(['2026-11-21', '2026-11-22']);
    expect(second.days.reduce((s, d) => s + d.totalTokens, 0)).to.equal(second.total.totalTokens);
    expect(second.turns).to.equal(undefined);
    // Asked with a thread: that thread's turns alone, each with its response's tokens.
    const one = newThread(1).threadId;
    const turns = (await right(readTokenCharts(m.ports, { threadId: one }, { pricing: DEFAULT_PRICING }))).turns!;
    expect(turns.map((g) => g.key).sort()).to.deep.equal([1, 2, 3].map((i) => `turn-${one.slice(0, 8)}-${i}`));
    expect(turns.every((g) => g.threadId === one && g.responses === 1)).to.equal(true);
  });

  it('costs at the prices given (serve / view --pricing FILE), saying which, and naming the models they lack', async () => {
    // The table shipped has no price for mock-model: the costs are unknown, never free, and it is named.
    const shipped = await right(readTokenCharts(m.ports, null, { pricing: DEFAULT_PRICING }));
    expect(shipped.pricing).to.deep.equal({ source: DEFAULT_PRICING.source, asOf: DEFAULT_PRICING.asOf });
    expect(shipped.unpricedModels).to.deep.equal(['mock-model']);
    expect([shipped.total.costUsd, ...shipped.models.map((g) => g.costUsd)]).to.deep.equal([null, null]);
    // What is left out is said: nothing priced, mock-model missing.
    expect([shipped.total.pricedCostUsd, shipped.total.unpricedModels]).to.deep.equal([0, ['mock-model']]);
    const given = {
      source: 'test',
      asOf: '2026-11-25',
      models: { 'mock-model': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 } },
    };
    const priced = await right(readTokenCharts(m.ports, null, { pricing: given }));
    expect(priced.pricing).to.deep.equal({ source: 'test', asOf: '2026-11-25' });
    expect(priced.unpricedModels).to.deep.equal([]);
    const t = priced.total;
    const cost = ((t.inputTokens - t.cachedInputTokens) * 2 + t.cachedInputTokens * 0.5 + t.outputTokens * 8) / 1e6;
    expect(t.costUsd).to.be.closeTo(cost, 1e-9);
    expect(cost).to.be.greaterThan(0);
  });
});
