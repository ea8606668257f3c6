// Token audit on histories written by the real `codex app-server`: each response the mock served is
// counted exactly once, whatever forks (paginated by reference, legacy by copy), reverts, failed
// and interrupted turns do to the files.
import { DEFAULT_PRICING } from '../../domain/tokens/pricing.js';
import { expect } from 'chai';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIndex } from '../../indexer/open/openIndex.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { auditTokenUsage } from '../../replay/tokens/auditTokenUsage.js';
import type { TokenReport } from '../../domain/tokens/report.js';
import { buildScenarioHome, HISTORY_MODES, type ScenarioContext, type ScenarioDefinition } from './scenarios.js';
import type { MockUsage } from './mockResponses.js';
import { engineJson, runEngineCli } from './engineCli.js';
import { right } from '../fixtures/right.js';
import type { HistoryMode } from '../../domain/rollout/historyMode.js';

/** Audit a home through a fresh index, in process (the engine's use case, as the CLI runs it). */
const audit = async (codexHome: string): Promise<TokenReport> => {
  const dir = mkdtempSync(join(tmpdir(), 'tok-ix-'));
  try {
    const { store } = right(await openIndex(dir, codexHome)());
    try {
      right(await catchUpHome(store, codexHome)());
      return right(await auditTokenUsage(store, { localDay: (iso) => iso.slice(0, 10), pricing: DEFAULT_PRICING })());
    } finally {
      await store.close()();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Sum of every distinct `token_usage_record.usage.total_tokens`, by the thread that made it, read straight from the files. */
const recordTotalsOnDisk = (codexHome: string): Map<string, number> => {
  const out = new Map<string, number>();
  const seen = new Set<string>();
  const walk = (d: string): string[] =>
    fs.existsSync(d)
      ? fs
          .readdirSync(d, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
      : [];
  for (const f of [...walk(join(codexHome, 'sessions')), ...walk(join(codexHome, 'archived_sessions'))]) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line.includes('"type":"token_usage_record"')) continue;
      const p = (
        JSON.parse(line) as { payload: { thread_id: string; response_id: string; usage: { total_tokens: number } } }
      ).payload;
      const key = `${p.thread_id}/${p.response_id}`;
      if (seen.has(key)) continue; // a legacy fork's copy of its source's record
      seen.add(key);
      out.set(p.thread_id, (out.get(p.thread_id) ?? 0) + p.usage.total_tokens);
    }
  }
  return out;
};

const total = (u: MockUsage) => u.inputTokens + u.outputTokens;
const usage = (n: number): MockUsage => ({
  inputTokens: 1000 * n,
  cachedTokens: 100 * n,
  outputTokens: 10 * n + 3,
  reasoningTokens: n,
});
const answer = (u: MockUsage) => ({
  kind: 'stream' as const,
  output: [
    { type: 'reasoning' as const, summary: 'Thinking.' },
    { type: 'message' as const, text: 'Answer.' },
  ],
  usage: u,
});
const threadTotal = (r: TokenReport, id: string) => r.groups.thread.find((g) => g.key === id)?.totalTokens ?? 0;

interface Observed {
  readonly codexHome: string;
  readonly steps: Array<{ readonly label: string; readonly report: TokenReport; readonly paid: number }>;
  readonly ids: Record<string, string>;
}

const observed = new Map<string, Observed>();

const forkRevertScenario = (mode: HistoryMode): ScenarioDefinition => ({
  name: `token-audit-${mode}`,
  modes: [mode],
  run: async (ctx: ScenarioContext) => {
    const codexHome = join(ctx.workDir, '..', 'home');
    const o: Observed = { codexHome, steps: [], ids: {} };
    observed.set(mode, o);
    let paid = 0;
    const turn = async (threadId: string, u: MockUsage, text: string) => {
      ctx.mock.replyTo(threadId, answer(u));
      paid += total(u);
      return ctx.turn(threadId, text);
    };
    const step = async (label: string) => o.steps.push({ label, report: await audit(codexHome), paid });
    const src = (o.ids['src'] = await ctx.startThread('source'));
    await turn(src, usage(1), 'Turn 1.');
    const t2 = await turn(src, usage(2), 'Turn 2.');
    await turn(src, usage(3), 'Turn 3.');
    await step('source');
    o.ids['forkWhole'] = await ctx.fork('fork-whole', { threadId: src });
    o.ids['forkAt2'] = await ctx.fork('fork-last-turn-2', { threadId: src, lastTurnId: t2 });
    await step('forked');
    ctx.mock.replyTo(src, { kind: 'httpError', status: 500 });
    await ctx.turn(src, 'This one fails.', 'failed');
    ctx.mock.replyTo(src, { kind: 'failed', message: 'compat mock: response.failed' });
    await ctx.turn(src, 'This one fails mid-stream.', 'failed');
    await ctx.interruptedTurn(src, 'This one is interrupted.');
    await step('failed and interrupted');
    if (mode === 'paginated') {
      await ctx.server.typed.request('thread/revert', { threadId: src, beforeTurnId: t2 });
      await step('reverted');
      await turn(src, usage(4), 'After revert.');
      await step('turn after revert');
    }
    await turn(o.ids['forkAt2'], usage(5), 'On the fork.');
    await step('turn on fork');
  },
});

describe('token audit against the real codex binary (forks, reverts, failures add nothing)', function () {
  this.timeout(240_000);
  let root: string;

  before(async function () {
    root = mkdtempSync(join(tmpdir(), 'tok-compat-'));
    for (const mode of HISTORY_MODES) await buildScenarioHome(forkRevertScenario(mode), mode, root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const mode of HISTORY_MODES) {
    it(`${mode}: after every step the audit total equals what the mock was paid for`, () => {
      const o = observed.get(mode)!;
      expect(o.steps.map((s) => [s.label, s.report.total.totalTokens])).to.deep.equal(
        o.steps.map((s) => [s.label, s.paid]),
      );
      const byLabel = Object.fromEntries(o.steps.map((s) => [s.label, s.report]));
      expect(byLabel['forked']!.total).to.deep.equal(byLabel['source']!.total);
      expect(threadTotal(byLabel['forked']!, o.ids['forkWhole']!)).to.equal(0);
      expect(byLabel['failed and interrupted']!.total).to.deep.equal(byLabel['source']!.total);
      if (mode === 'paginated') expect(byLabel['reverted']!.total).to.deep.equal(byLabel['source']!.total);
      const last = o.steps[o.steps.length - 1]!.report;
      expect(threadTotal(last, o.ids['forkAt2']!)).to.equal(total(usage(5)));
      expect(threadTotal(last, o.ids['src']!)).to.equal(
        total(usage(1)) + total(usage(2)) + total(usage(3)) + (mode === 'paginated' ? total(usage(4)) : 0),
      );
    });

    it(`${mode}: per thread, totals equal the sum of the distinct token_usage_record.usage in the files`, () => {
      const o = observed.get(mode)!;
      const last = o.steps[o.steps.length - 1]!.report;
      const ours = new Map(last.groups.thread.map((g) => [g.key, g.totalTokens]));
      expect(ours).to.deep.equal(recordTotalsOnDisk(o.codexHome));
    });

    it(`${mode}: \`rollout-engine tokens --json\` gives the same totals, and the same again warm`, async () => {
      const o = observed.get(mode)!;
      const indexDir = mkdtempSync(join(tmpdir(), 'tok-cli-'));
      try {
        const args = ['tokens', '--codex-home', o.codexHome, '--index-dir', indexDir, '--json', '--tz', 'UTC'];
        const cold = engineJson(await runEngineCli(args));
        const warm = engineJson(await runEngineCli(args));
        if (!cold.ok) throw new Error(cold.problem);
        if (!warm.ok) throw new Error(warm.problem);
        const c = cold.value as { total: unknown; index: { state: string }; byThread: unknown };
        const w = warm.value as {
          total: unknown;
          index: { state: string; unchanged: number; bytesRead: number };
          byThread: unknown;
        };
        expect(c.total).to.deep.equal(o.steps[o.steps.length - 1]!.report.total);
        expect([c.index.state, w.index.state]).to.deep.equal(['cold', 'warm']);
        expect(w.index.bytesRead).to.equal(0);
        expect(w.total).to.deep.equal(c.total);
        expect(w.byThread).to.deep.equal(c.byThread);
      } finally {
        rmSync(indexDir, { recursive: true, force: true });
      }
    });
  }
});
