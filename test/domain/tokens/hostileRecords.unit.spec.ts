import { expect } from 'chai';
import fc from 'fast-check';
import { localDayIn } from '../../../adapters/driven/system/timeZone.js';
import { DEFAULT_PRICING, priceOf } from '../../../domain/tokens/pricing.js';
import { TOKEN_DIMENSIONS, buildTokenReport } from '../../../domain/tokens/report.js';
import type { StoredResponse } from '../../../domain/tokens/selectResponses.js';
import type { Usage } from '../../../domain/tokens/usage.js';
import { MAX_RESPONSE_TOKENS } from '../../../domain/tokens/usage.js';
import { isLoose } from '../../../domain/tokens/usageBuckets.js';
import { storedResponse } from '../../fixtures/storedResponse.js';

// Issue 51 (finding 2): records a home may hold that a report must survive, one by one.
const GOOD_AT = '2026-11-21T14:00:09.000Z';
const BAD_TIMESTAMPS = [
  '2026-13-45T00:00:00Z',
  'yesterday',
  '',
  '+275760-09-13T00:00:00.000Z',
  '0500-01-01T00:00:00Z',
  '99999-01-01T00:00:00Z',
];
const HOSTILE_MODELS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'gpt-5'];

const usage = (n: number): Usage => ({
  inputTokens: n,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: n,
  reasoningOutputTokens: 0,
  totalTokens: 2 * n,
});

const record = (timestamp: string | null, model: string | null, u: Usage, turnId = 'turn-1'): StoredResponse =>
  storedResponse({ timestamp, model, usage: u, turnId });

const options = { localDay: localDayIn('Europe/Paris'), pricing: DEFAULT_PRICING };

/** Every number of a report: none NaN or infinite (JSON would print them as null). */
const numbersOf = (v: unknown): number[] =>
  typeof v === 'number' ? [v] : typeof v === 'object' && v !== null ? Object.values(v).flatMap(numbersOf) : [];

describe('token report: hostile records are skipped and counted one by one', () => {
  it('a timestamp that is no date: skipped and counted, every grouping answers (it had failed every day, week and month report)', () => {
    const rows = [record(GOOD_AT, 'gpt-5', usage(10)), ...BAD_TIMESTAMPS.map((t) => record(t, 'gpt-5', usage(1)))];
    const r = buildTokenReport(rows, options);
    expect(r.skippedRecords).to.deep.equal({ badTimestamp: BAD_TIMESTAMPS.length, tokensOutOfRange: 0 });
    expect(r.total.totalTokens).to.equal(20);
    expect(r.groups.week.map((g) => g.key)).to.deep.equal(['2026-11-16']);
    expect(r.groups.month.map((g) => g.key)).to.deep.equal(['2026-11']);
    expect(r.groups.dayLocal.map((g) => g.key)).to.deep.equal(['2026-11-21']);
  });

  it('a model named constructor or toString is unpriced, never NaN (priceOf reads the table own entries only)', () => {
    for (const m of HOSTILE_MODELS.slice(0, -1)) expect(priceOf(DEFAULT_PRICING, m), m).to.equal(undefined);
    const r = buildTokenReport(
      HOSTILE_MODELS.map((m) => record(GOOD_AT, m, usage(1000))),
      options,
    );
    expect(r.total.costUsd).to.equal(null);
    expect(r.unpricedModels).to.deep.equal([...HOSTILE_MODELS.slice(0, -1)].sort());
    expect(r.groups.model.find((g) => g.key === 'gpt-5')?.costUsd).to.be.a('number');
  });

  it('two records of 1e308 tokens: skipped and counted, the totals finite (they were Infinity, printed null)', () => {
    const r = buildTokenReport(
      [
        record(GOOD_AT, 'gpt-5', usage(1e308)),
        record(GOOD_AT, 'gpt-5', usage(1e308)),
        record(GOOD_AT, 'gpt-5', usage(5)),
      ],
      options,
    );
    expect(r.skippedRecords).to.deep.equal({ badTimestamp: 0, tokensOutOfRange: 2 });
    expect(r.total.totalTokens).to.equal(10);
    expect(isLoose(record(GOOD_AT, 'gpt-5', usage(1e308)).response)).to.equal(true);
    expect(isLoose(record('2026-13-45T00:00:00Z', 'gpt-5', usage(1)).response)).to.equal(true);
  });

  it('property: any records, any model names, any numbers: a report in every grouping, every number finite, each record counted or skipped once', () => {
    const timestamp = fc.oneof(
      fc.constant(GOOD_AT),
      fc.constant(null),
      fc.constantFrom(...BAD_TIMESTAMPS),
      fc.string(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    const count = fc.oneof(
      fc.nat(1_000_000),
      fc.double(),
      fc.constantFrom(1e308, -1, MAX_RESPONSE_TOKENS, MAX_RESPONSE_TOKENS + 1, Number.MAX_SAFE_INTEGER),
    );
    const row = fc.record({
      timestamp,
      model: fc.oneof(fc.constantFrom(...HOSTILE_MODELS), fc.string(), fc.constant(null)),
      n: count,
      turn: fc.oneof(fc.constantFrom('__proto__', 'constructor'), fc.string()),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const stored = rows.map((x) => record(x.timestamp, x.model, usage(x.n), x.turn));
        const r = buildTokenReport(stored, options);
        for (const n of numbersOf({ total: r.total, groups: r.groups }))
          expect(Number.isFinite(n), String(n)).to.equal(true);
        expect(r.total.responses + r.skippedRecords.badTimestamp + r.skippedRecords.tokensOutOfRange).to.equal(
          rows.length,
        );
        for (const d of TOKEN_DIMENSIONS)
          expect(
            r.groups[d].reduce((s, g) => s + g.responses, 0),
            d,
          ).to.equal(r.total.responses);
      }),
      { numRuns: 500 },
    );
  });
});
