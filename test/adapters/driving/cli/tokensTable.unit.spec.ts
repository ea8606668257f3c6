import { expect } from 'chai';
import { DEFAULT_PRICING } from '../../../../domain/tokens/pricing.js';
import { buildTokenReport } from '../../../../domain/tokens/report.js';
import type { UsageBucket } from '../../../../domain/tokens/report.js';
import { localDayIn } from '../../../../adapters/driven/system/timeZone.js';
import { tableLines } from '../../../../adapters/driving/cli/commands/tokensTable.js';

/**
 * The table of a report by thread has a row a thread, and one a model under it with `--breakdown
 * model`. Sizing its columns with one `Math.max` argument a row overflowed the stack past about
 * 130,000 rows: `tokens --breakdown model` on a home of 82,000 threads failed with "Maximum call
 * stack size exceeded" and printed nothing.
 */
const GROUPS = 70_000;
const START = Date.UTC(2026, 10, 21, 14, 0, 0);

/** A thread's sums, as a home's warm record holds them: the report by thread makes its group. */
const bucketOf = (n: number): UsageBucket => ({
  threadId: `01a1fe84-0000-7000-8000-${String(n).padStart(12, '0')}`,
  firstMs: START + n * 1_000,
  lastMs: START + n * 1_000,
  model: 'gpt-5',
  provider: 'openai',
  cwd: '/work/p',
  usage: {
    inputTokens: 10,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    outputTokens: 1,
    reasoningOutputTokens: 0,
    totalTokens: 11 + n,
  },
  responses: 1,
});

describe('tokens table', () => {
  it('prints a table of 140,000 rows, each column as wide as its widest cell', () => {
    const buckets = Array.from({ length: GROUPS }, (_, n) => bucketOf(n));
    const r = buildTokenReport(
      [],
      { localDay: localDayIn('UTC'), pricing: DEFAULT_PRICING, dimensions: ['thread'] },
      buckets,
    );
    const lines = [
      ...tableLines('thread', r.groups.thread, r.total, true, r.unpricedModels, DEFAULT_PRICING, r.skippedRecords),
    ];
    // A head, a rule, a row a group and a model, a rule and the total.
    expect(lines).to.have.length(2 * GROUPS + 4);
    // The first column is as wide as a thread id, the widest label.
    expect(lines[0]!.indexOf('responses')).to.equal(bucketOf(0).threadId.length + 2);
    expect(new Set(lines.map((l) => l.length)).size).to.equal(1);
  });
});
