import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { newThread } from '../../../projections/synth.js';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { CLI } from '../../../fixtures/cliBundle.js';
import { DEFAULT_PRICING } from '../../../../domain/tokens/pricing.js';

/** The prices file's table over the one shipped (it adds to it, model by model), as a report names it. */
const GIVEN_OVER_SHIPPED = {
  source: `test (as of 2026-11-24) over ${DEFAULT_PRICING.source}`,
  asOf: DEFAULT_PRICING.asOf,
};

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'tokens', ...args], { encoding: 'utf8' });

// `rollout-engine tokens` on a generated home: the groupings ccusage users know (month, 5-hour
// blocks), the model breakdown, the cost from a pricing file, and the refusals of bad input.
describe('CLI tokens: groupings, breakdown, cost', () => {
  const tmp = useTempDir('tokens-report-');
  let home: string;
  let pricing: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    for (const seed of [1, 2]) await writeSynthThread(home, newThread(seed), 3);
    pricing = nodePath.join(tmp(), 'prices.json');
    fs.writeFileSync(
      pricing,
      JSON.stringify({
        source: 'test',
        asOf: '2026-11-24',
        models: { 'mock-model': { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 } },
      }),
    );
  });

  it('--by month --breakdown model --pricing: each group costed from its models, by hand', () => {
    const r = run('--codex-home', home, '--by', 'month', '--breakdown', 'model', '--pricing', pricing, '--json', '-q');
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.pricing).to.deep.equal(GIVEN_OVER_SHIPPED);
    expect(out.unpricedModels).to.deep.equal([]);
    const t = out.total;
    const byHand = ((t.inputTokens - t.cachedInputTokens) * 2 + t.cachedInputTokens * 0.5 + t.outputTokens * 8) / 1e6;
    expect(t.costUsd).to.be.closeTo(byHand, 1e-12);
    expect(out.groups.map((g: { key: string }) => g.key).every((k: string) => /^\d{4}-\d{2}$/.test(k))).to.equal(true);
    expect(out.groups[0].models[0].model).to.equal('mock-model');
    const table = run('--codex-home', home, '--by', 'month', '--breakdown', 'model', '--pricing', pricing, '-q');
    expect(table.stdout)
      .to.match(/^ {2}mock-model /m)
      .and.match(/cost USD/);
  });

  it('--by block: 5-hour blocks from the hour of their first response; without a price the cost is ? and the model named', () => {
    const r = run('--codex-home', home, '--by', 'block', '--json', '-q');
    expect(r.status, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect(out.groups.length).to.be.greaterThan(0);
    for (const g of out.groups) expect(g.key).to.match(/T\d\d:00:00\.000Z$/);
    expect(out.total.costUsd).to.equal(null);
    expect(out.unpricedModels).to.deep.equal(['mock-model']);
    expect(run('--codex-home', home, '--by', 'block', '-q').stdout).to.contain('no price for mock-model');
  });

  it('rolloutEngine/tokens/report answers over JSON-RPC what tokens --by X --json prints (prices given in the request), and refuses a bad zone or instant', async () => {
    const cli = JSON.parse(run('--codex-home', home, '--by', 'block', '--pricing', pricing, '--json', '-q').stdout);
    const prices = JSON.parse(fs.readFileSync(pricing, 'utf8'));
    const s = await initializedServe(home, { clientInfo: { name: 'test', version: '0' } });
    try {
      const r = await s.typed.request('rolloutEngine/tokens/report', { by: 'block', pricing: prices });
      expect(r.by).to.equal('block');
      expect(r.groups).to.deep.equal(cli.groups);
      expect(r.total).to.deep.equal(cli.total);
      expect(r.pricing).to.deep.equal(GIVEN_OVER_SHIPPED);
      const badZone = await s.request('rolloutEngine/tokens/report', { timeZone: 'Mars/Olympus' });
      expect('error' in badZone && badZone.error.message).to.contain('timeZone');
      const badSince = await s.request('rolloutEngine/tokens/report', { since: 'yesterday' });
      expect('error' in badSince && badSince.error.message).to.contain('since');
    } finally {
      await s.close();
    }
  });

  it('serve --pricing FILE: the token report (no pricing param) and the charts cost at its prices; serve and view refuse a malformed file before listening, exit 2', async () => {
    const cli = JSON.parse(run('--codex-home', home, '--by', 'block', '--pricing', pricing, '--json', '-q').stdout);
    expect(cli.total.costUsd).to.be.greaterThan(0);
    const s = await initializedServe(home, {
      clientInfo: { name: 'test', version: '0' },
      args: ['--pricing', pricing],
    });
    try {
      const r = await s.typed.request('rolloutEngine/tokens/report', { by: 'block' });
      expect(r.pricing).to.deep.equal(GIVEN_OVER_SHIPPED);
      expect(r.total).to.deep.equal(cli.total);
      const charts = await s.typed.request('rolloutEngine/tokens/charts', {});
      expect(charts.pricing).to.deep.equal(GIVEN_OVER_SHIPPED);
      expect(charts.unpricedModels).to.deep.equal([]);
      expect(charts.total.costUsd).to.be.closeTo(cli.total.costUsd, 1e-12);
    } finally {
      await s.close();
    }
    const bad = nodePath.join(tmp(), 'bad-serve.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        source: 'x',
        asOf: 'y',
        models: { m: { inputPerMTok: 1, cachedInputPerMTok: 'free', outputPerMTok: 1 } },
      }),
    );
    for (const args of [['serve'], ['view', '--no-open']]) {
      const refused = spawnSync(process.execPath, [CLI, ...args, '--codex-home', home, '--pricing', bad], {
        encoding: 'utf8',
        input: '',
        timeout: 30_000,
      });
      expect(refused.status, `${args[0]}: ${refused.stderr}`).to.equal(2);
      expect(refused.stderr).to.contain('--pricing').and.contain('cachedInputPerMTok');
      expect(refused.stdout, `${args[0]} printed no address`).to.not.contain('viewer:');
    }
  });

  it('refuses a malformed pricing file (saying which field) and a breakdown other than model, exit 2', () => {
    const bad = nodePath.join(tmp(), 'bad.json');
    fs.writeFileSync(
      bad,
      JSON.stringify({
        source: 'x',
        asOf: 'y',
        models: { m: { inputPerMTok: -1, cachedInputPerMTok: 0, outputPerMTok: 1 } },
      }),
    );
    const r = run('--codex-home', home, '--pricing', bad, '-q');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.contain('--pricing').and.contain('inputPerMTok');
    const notJson = nodePath.join(tmp(), 'not.json');
    fs.writeFileSync(notJson, '{');
    expect(run('--codex-home', home, '--pricing', notJson, '-q').stderr).to.contain('is not JSON');
    const b = run('--codex-home', home, '--breakdown', 'thread', '-q');
    expect(b.status).to.equal(2);
    expect(b.stderr).to.contain('--breakdown');
  });
});
