import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { newThread, threadLines, writeRollout } from '../../../projections/synth.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { DEFAULT_PRICING, costOf, priceOf } from '../../../../domain/tokens/pricing.js';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'tokens', ...args], { encoding: 'utf8' });

// Issue 72: a home of one priced model (gpt-5, in the table shipped) and one unpriced
// (mock-model). Its totals and week rows said `?` and nothing else; `--pricing FILE` naming
// mock-model alone replaced the table shipped, so gpt-5 became `?` in turn.
describe('CLI tokens: a partial cost, and --pricing adding to the table shipped', () => {
  const tmp = useTempDir('partial-cost-');
  let home: string;
  let mockOnly: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    await writeSynthThread(home, newThread(1), 2);
    const priced = newThread(2);
    await writeRollout(
      home,
      priced.threadId,
      threadLines(priced, 2).map((l) => l.replaceAll('"model":"mock-model"', '"model":"gpt-5"')),
    );
    mockOnly = nodePath.join(tmp(), 'mock-only.json');
    fs.writeFileSync(
      mockOnly,
      JSON.stringify({
        source: 'mine',
        asOf: '2026-11-27',
        models: { 'mock-model': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 } },
      }),
    );
  });

  /** gpt-5's rows of the JSON by model, and their cost at the table shipped, by hand. */
  const gpt5Cost = (groups: ReadonlyArray<{ key: string | null } & Record<string, number>>): number => {
    const g = groups.find((x) => x.key === 'gpt-5')!;
    return costOf(
      {
        inputTokens: g.inputTokens!,
        cachedInputTokens: g.cachedInputTokens!,
        cacheWriteInputTokens: g.cacheWriteInputTokens!,
        outputTokens: g.outputTokens!,
        reasoningOutputTokens: 0,
        totalTokens: 0,
      },
      priceOf(DEFAULT_PRICING, 'gpt-5')!,
    );
  };

  it('without a price for mock-model: the total and the week row show the priced part and name the model left out; the JSON says both', () => {
    const json = run('--codex-home', home, '--by', 'model', '--json', '-q');
    expect(json.status, json.stderr).to.equal(0);
    const out = JSON.parse(json.stdout);
    const byHand = gpt5Cost(out.groups);
    expect(byHand).to.be.greaterThan(0);
    expect(out.total.costUsd).to.equal(null);
    expect(out.total.pricedCostUsd).to.be.closeTo(byHand, 1e-12);
    expect(out.total.unpricedModels).to.deep.equal(['mock-model']);
    const gpt5 = out.groups.find((g: { key: string }) => g.key === 'gpt-5');
    expect([gpt5.costUsd, gpt5.pricedCostUsd, gpt5.unpricedModels]).to.deep.equal([gpt5.pricedCostUsd, byHand, []]);
    const week = run('--codex-home', home, '--by', 'week', '-q');
    expect(week.status, week.stderr).to.equal(0);
    const partial = `+ ? (mock-model: no price)`;
    const lines = week.stdout.split('\n');
    expect(
      lines.find((l) => l.startsWith('week of ')),
      week.stdout,
    )
      .to.contain(partial)
      .and.match(/\$\d+\.\d+ \+ \?/);
    expect(
      lines.find((l) => l.startsWith('total ')),
      week.stdout,
    )
      .to.contain(partial)
      .and.match(/\$\d+\.\d+ \+ \?/);
    expect(week.stdout).to.contain('--pricing FILE: it adds to the price table shipped');
  });

  it('--pricing FILE naming mock-model alone adds to the table shipped: gpt-5 keeps its price and the total is whole', () => {
    const json = run('--codex-home', home, '--by', 'model', '--pricing', mockOnly, '--json', '-q');
    expect(json.status, json.stderr).to.equal(0);
    const out = JSON.parse(json.stdout);
    expect(out.unpricedModels).to.deep.equal([]);
    expect(out.total.unpricedModels).to.deep.equal([]);
    const mock = out.groups.find((g: { key: string }) => g.key === 'mock-model');
    const mockByHand =
      ((mock.inputTokens - mock.cachedInputTokens) * 2 + mock.cachedInputTokens * 0.5 + mock.outputTokens * 8) / 1e6;
    expect(out.total.costUsd).to.be.closeTo(gpt5Cost(out.groups) + mockByHand, 1e-12);
    expect(out.pricing.source).to.contain('mine').and.contain(DEFAULT_PRICING.source);
    const table = run('--codex-home', home, '--by', 'week', '--pricing', mockOnly, '-q');
    expect(table.status, table.stderr).to.equal(0);
    expect(table.stdout.split('\n').find((l) => l.startsWith('total '))).to.match(/\$\d+\.\d+$/);
    expect(table.stdout).not.to.contain('?');
  });

  it('over JSON-RPC: the report and the charts carry the priced part and the models left out; a request pricing mock-model alone adds to the table', async () => {
    const cli = JSON.parse(run('--codex-home', home, '--by', 'model', '--json', '-q').stdout);
    const s = await initializedServe(home, { clientInfo: { name: 'test', version: '0' } });
    try {
      const partial = await s.typed.request('rolloutEngine/tokens/report', { by: 'model' });
      expect(partial.total).to.deep.equal(cli.total);
      expect([partial.total.costUsd, partial.total.unpricedModels]).to.deep.equal([null, ['mock-model']]);
      expect(partial.total.pricedCostUsd).to.be.closeTo(gpt5Cost(cli.groups), 1e-12);
      const charts = await s.typed.request('rolloutEngine/tokens/charts', null);
      expect([charts.total.costUsd, charts.total.pricedCostUsd, charts.total.unpricedModels]).to.deep.equal([
        null,
        partial.total.pricedCostUsd,
        ['mock-model'],
      ]);
      const whole = await s.typed.request('rolloutEngine/tokens/report', {
        by: 'model',
        pricing: JSON.parse(fs.readFileSync(mockOnly, 'utf8')),
      });
      expect(whole.total.unpricedModels).to.deep.equal([]);
      expect(whole.total.costUsd).to.be.greaterThan(partial.total.pricedCostUsd);
      expect(whole.groups.find((g) => g.key === 'gpt-5')!.costUsd).to.be.closeTo(gpt5Cost(cli.groups), 1e-12);
    } finally {
      await s.close();
    }
  });
});
