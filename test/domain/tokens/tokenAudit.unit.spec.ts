import { DEFAULT_PRICING } from '../../../domain/tokens/pricing.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { buildTokenReport } from '../../../domain/tokens/report.js';
import type { TokenReport } from '../../../domain/tokens/report.js';
import { localDayIn } from '../../../adapters/driven/system/timeZone.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { TokenHistory, ZERO6, auditRowsOf, plus6, usage6 } from '../../fixtures/tokenHistories.js';
import type { FileSpec, Usage6 } from '../../fixtures/tokenHistories.js';
import type { HistoryMode } from '../../../domain/rollout/historyMode.js';

const SRC = '01a1fe84-0000-7000-8000-00000000a001';
const FORK = '01a1fe84-0000-7000-8000-00000000b002';
const REV = '01a1fe84-0000-7000-8000-00000000c003';

const report = (
  files: ReadonlyArray<FileSpec>,
  opts: { tz?: string; sinceMs?: number; untilMs?: number; batch?: number } = {},
): TokenReport =>
  buildTokenReport(auditRowsOf(files, opts.batch), {
    localDay: localDayIn(opts.tz ?? 'UTC'),
    pricing: DEFAULT_PRICING,
    ...(opts.sinceMs === undefined ? {} : { sinceMs: opts.sinceMs }),
    ...(opts.untilMs === undefined ? {} : { untilMs: opts.untilMs }),
  });

const camel = (u: Usage6) => ({
  inputTokens: u.input_tokens,
  cachedInputTokens: u.cached_input_tokens,
  cacheWriteInputTokens: u.cache_write_input_tokens,
  outputTokens: u.output_tokens,
  reasoningOutputTokens: u.reasoning_output_tokens,
  totalTokens: u.total_tokens,
});

/** A total's token sums, without its per-model rows and cost. */
const sumsOf = (t: TokenReport['total']) => {
  const { models: _m, costUsd: _c, pricedCostUsd: _p, unpricedModels: _um, ...u } = t;
  return u;
};

const threadTotal = (r: TokenReport, threadId: string) => {
  const g = r.groups.thread.find((x) => x.key === threadId);
  if (!g) return undefined;
  const { key: _k, responses: _r, models: _m, costUsd: _c, pricedCostUsd: _p, unpricedModels: _um, ...u } = g;
  return u;
};

const u1 = usage6(1100, 0, 21, 5);
const u2 = usage6(1200, 1000, 22, 5, 7);
const u3 = usage6(1300, 1100, 23, 0);
const u4 = usage6(900, 100, 40, 3);

/** A source thread with two turns (three responses), in either writer style. */
const source = (mode: HistoryMode, records = true) => {
  const w = new RolloutWriter(mode, SRC);
  w.sessionMeta({ model_provider: 'openai', cwd: '/work/a' });
  const h = new TokenHistory(w, records);
  h.turn('t1', [u1], { model: 'gpt-a', cwd: '/work/a' }).turn('t2', [u2, u3], { model: 'gpt-b', cwd: '/work/b' });
  return h;
};

describe('token audit (pure fold + report)', () => {
  it('counts each token_usage_record once: totals equal the sum of record usage per thread, every class', () => {
    const h = source('paginated');
    const r = report([{ rolloutId: SRC, threadId: SRC, lines: h.w.lines }]);
    expect(sumsOf(r.total)).to.deep.equal({ ...camel(plus6(plus6(u1, u2), u3)), responses: 3 });
    expect(threadTotal(r, SRC)).to.deep.equal(camel(h.total));
    expect(r.groups.turn.map((g) => [g.key, g.responses, g.totalTokens])).to.deep.equal([
      ['t1', 1, u1.total_tokens],
      ['t2', 2, u2.total_tokens + u3.total_tokens],
    ]);
    expect(r.groups.model.map((g) => [g.key, g.totalTokens])).to.deep.equal([
      ['gpt-b', u2.total_tokens + u3.total_tokens],
      ['gpt-a', u1.total_tokens],
    ]);
    expect(r.groups.provider.map((g) => g.key)).to.deep.equal(['openai']);
    expect(r.groups.cwd.map((g) => [g.key, g.responses])).to.deep.equal([
      ['/work/b', 2],
      ['/work/a', 1],
    ]);
  });

  it('re-emitted token_count lines (unchanged totals) add nothing, with records or counts only', () => {
    it('a count-only fork whose running total starts from what it inherited counts its own responses only (last_token_usage), not the inherited total again', () => {
      for (const mode of ['paginated', 'legacy'] as const) {
        const src = source(mode, false);
        const before = report([{ rolloutId: SRC, threadId: SRC, lines: src.w.lines }]);
        const base = { thread_id: SRC, end_ordinal_exclusive: src.w.nextOrdinal(), end_byte_offset: 1 };
        const fw = new RolloutWriter(mode, FORK, mode === 'paginated' ? { startOrdinal: src.w.nextOrdinal() } : {});
        // A reference fork (paginated) or a fork whose file starts after the history it continues: its first count's total includes the source's.
        fw.sessionMeta(mode === 'paginated' ? { forked_from_id: SRC, history_base: base } : {});
        const fh = new TokenHistory(fw, false);
        fh.total = src.total;
        fh.turn('f1', [u4]).turn('f2', [u1]);
        const r = report([
          { rolloutId: SRC, threadId: SRC, lines: src.w.lines },
          { rolloutId: FORK, threadId: FORK, lines: fw.lines },
        ]);
        expect(r.total.totalTokens, mode).to.equal(before.total.totalTokens + u4.total_tokens + u1.total_tokens);
        expect(threadTotal(r, FORK), mode).to.deep.equal(camel(plus6(u4, u1)));
      }
    });

    it('a count without last_token_usage (the oldest writers) still counts the delta, and from zero at the file start', () => {
      const w = new RolloutWriter('legacy', SRC);
      w.sessionMeta();
      w.taskStarted('t1');
      w.push('event_msg', { type: 'token_count', info: { total_token_usage: u1 } });
      w.push('event_msg', { type: 'token_count', info: { total_token_usage: plus6(u1, u2) } });
      w.taskComplete('t1');
      expect(report([{ rolloutId: SRC, threadId: SRC, lines: w.lines }]).total.totalTokens).to.equal(
        u1.total_tokens + u2.total_tokens,
      );
    });

    for (const records of [true, false]) {
      const plain = source('paginated', records);
      const noisy = source('paginated', records);
      noisy.reemit().reemit();
      noisy.w.taskStarted('t3');
      noisy.reemit(); // a failed turn repeats the totals
      noisy.w.taskComplete('t3', { message: 'boom', codex_error_info: 'other' });
      noisy.turn('t4', [u4]).reemit();
      const a = report([{ rolloutId: SRC, threadId: SRC, lines: plain.w.lines }]);
      const b = report([{ rolloutId: SRC, threadId: SRC, lines: noisy.w.lines }]);
      expect(b.total.totalTokens - a.total.totalTokens, `records=${records}`).to.equal(u4.total_tokens);
      expect(b.total.responses, `records=${records}`).to.equal(4);
    }
  });

  it('older rollouts (token_count only) count the delta of total_token_usage per response', () => {
    const h = source('legacy', false);
    const r = report([{ rolloutId: SRC, threadId: SRC, lines: h.w.lines }]);
    expect(sumsOf(r.total)).to.deep.equal({ ...camel(h.total), responses: 3 });
    expect(r.groups.turn.map((g) => [g.key, g.totalTokens])).to.deep.equal([
      ['t1', u1.total_tokens],
      ['t2', u2.total_tokens + u3.total_tokens],
    ]);
  });

  it('a counter that restarts (total went down) counts from zero', () => {
    const w = new RolloutWriter('legacy', SRC);
    w.sessionMeta();
    w.taskStarted('t1').tokenCountTotal(u1).tokenCountTotal(plus6(u1, u2)).taskComplete('t1');
    w.taskStarted('t2').tokenCountTotal(u3).taskComplete('t2');
    expect(report([{ rolloutId: SRC, threadId: SRC, lines: w.lines }]).total.totalTokens).to.equal(
      u1.total_tokens + u2.total_tokens + u3.total_tokens,
    );
  });

  it('a paginated fork and a revision (history by reference) add only their own responses', () => {
    const src = source('paginated');
    const before = report([{ rolloutId: SRC, threadId: SRC, lines: src.w.lines }]);
    const base = { thread_id: SRC, end_ordinal_exclusive: src.w.nextOrdinal(), end_byte_offset: 1 };
    const fw = new RolloutWriter('paginated', FORK, { startOrdinal: src.w.nextOrdinal() });
    fw.sessionMeta({ forked_from_id: SRC, history_base: base }).threadSettings({
      model: 'gpt-b',
      model_provider_id: 'openai',
      cwd: '/work/b',
    });
    const rw = new RolloutWriter('paginated', SRC, { startOrdinal: 4 });
    rw.sessionMeta({ model_provider: 'openai', history_base: { ...base, end_ordinal_exclusive: 4 } }).threadSettings({
      model: 'gpt-a',
    });
    const files = [
      { rolloutId: SRC, threadId: SRC, lines: src.w.lines },
      { rolloutId: FORK, threadId: FORK, lines: fw.lines },
      { rolloutId: REV, threadId: SRC, lines: rw.lines },
    ];
    const after = report(files);
    expect(after.total).to.deep.equal(before.total);
    expect(threadTotal(after, FORK)).to.equal(undefined);
    // Their own turns count, once.
    const fh = new TokenHistory(fw);
    fh.total = src.total;
    fh.turn('f1', [u4]);
    const rh = new TokenHistory(rw);
    rh.turn('r1', [u1]);
    const grown = report(
      files.map((f) =>
        f.rolloutId === FORK ? { ...f, lines: fw.lines } : f.rolloutId === REV ? { ...f, lines: rw.lines } : f,
      ),
    );
    expect(grown.total.totalTokens).to.equal(before.total.totalTokens + u4.total_tokens + u1.total_tokens);
    expect(threadTotal(grown, FORK)).to.deep.equal(camel(u4));
    expect(grown.groups.provider.map((g) => [g.key, g.responses])).to.deep.equal([['openai', 5]]);
  });

  for (const records of [true, false]) {
    it(`a legacy fork that copies its source's lines adds only its own responses (${records ? 'records' : 'token_count only'})`, () => {
      const src = source('legacy', records);
      const fw = new RolloutWriter('legacy', FORK);
      fw.sessionMeta({ forked_from_id: SRC });
      for (const l of src.w.lines) fw.lines.push(l); // the source's session_meta and every line, copied
      fw.threadSettings({ model: 'gpt-b' });
      const fh = new TokenHistory(fw, records);
      fh.total = src.total; // the fork's running total continues the copied one
      const files = [
        { rolloutId: SRC, threadId: SRC, lines: src.w.lines },
        { rolloutId: FORK, threadId: FORK, lines: fw.lines },
      ];
      const forked = report(files);
      expect(forked.total.totalTokens).to.equal(src.total.total_tokens);
      expect(threadTotal(forked, FORK)).to.equal(undefined);
      expect(records ? forked.duplicateRecords : forked.copiedCounts).to.equal(3);
      fh.turn('f1', [u4]);
      const grown = report(files.map((f) => (f.rolloutId === FORK ? { ...f, lines: fw.lines } : f)));
      expect(grown.total.totalTokens).to.equal(src.total.total_tokens + u4.total_tokens);
      expect(threadTotal(grown, FORK)).to.deep.equal(camel(u4));
      expect(threadTotal(grown, SRC)).to.deep.equal(camel(src.total));
    });
  }

  it('days in UTC and in the local zone; --since/--until bound by instant', () => {
    const w = new RolloutWriter('paginated', SRC, { startMs: Date.UTC(2026, 10, 21, 8, 0, 0) });
    w.sessionMeta();
    const h = new TokenHistory(w);
    h.turn('t1', [u1]); // just after 2026-11-21T08:00Z: the 21st in Los Angeles (UTC-8) too
    const w2ms = Date.UTC(2026, 10, 22, 7, 0, 0);
    const w2 = new RolloutWriter('paginated', SRC, { startMs: w2ms, startOrdinal: w.nextOrdinal() });
    const h2 = new TokenHistory(w2);
    h2.total = h.total;
    h2.turn('t2', [u2]); // 2026-11-22T07:00Z: the 21st in Los Angeles, the 22nd in UTC
    const files = [{ rolloutId: SRC, threadId: SRC, lines: [...w.lines, ...w2.lines] }];
    const r = report(files, { tz: 'America/Los_Angeles' });
    expect(r.groups.dayUtc.map((g) => [g.key, g.responses])).to.deep.equal([
      ['2026-11-21', 1],
      ['2026-11-22', 1],
    ]);
    expect(r.groups.dayLocal.map((g) => [g.key, g.responses])).to.deep.equal([['2026-11-21', 2]]);
    const since = report(files, { sinceMs: w2ms });
    expect(since.total.responses).to.equal(1);
    expect(since.outsideRange).to.equal(1);
    expect(report(files, { untilMs: w2ms }).total.totalTokens).to.equal(u1.total_tokens);
  });

  it('property: any batch cuts, any re-emitted counts: total = sum of records per thread = token_count deltas', () => {
    const usageArb = fc
      .record({ i: fc.nat(5000), c: fc.nat(5000), o: fc.nat(500), r: fc.nat(100), w: fc.nat(50) })
      .map((x) => usage6(x.i, Math.min(x.c, x.i), x.o, x.r, x.w));
    const turnArb = fc.record({ usages: fc.array(usageArb, { minLength: 0, maxLength: 3 }), reemits: fc.nat(2) });
    fc.assert(
      fc.property(fc.array(turnArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 9 }), (turns, batch) => {
        const texts: Record<string, string[]> = {};
        let expected = ZERO6;
        for (const records of [true, false]) {
          const w = new RolloutWriter('paginated', SRC);
          w.sessionMeta();
          const h = new TokenHistory(w, records);
          turns.forEach((t, i) => {
            h.turn(`t${i}`, t.usages);
            for (let k = 0; k < t.reemits; k++) h.reemit();
          });
          texts[String(records)] = w.lines;
          expected = h.total;
        }
        const withRecords = report([{ rolloutId: SRC, threadId: SRC, lines: texts['true']! }], { batch });
        const countsOnly = report([{ rolloutId: SRC, threadId: SRC, lines: texts['false']! }], { batch });
        const responses = turns.reduce((a, t) => a + t.usages.length, 0);
        expect(sumsOf(withRecords.total)).to.deep.equal({ ...camel(expected), responses });
        // Without records a zero-usage response cannot be told from a re-emission.
        expect(countsOnly.total.totalTokens).to.equal(expected.total_tokens);
        expect(countsOnly.total.inputTokens).to.equal(expected.input_tokens);
      }),
      { numRuns: 200 },
    );
  });
});
