import { expect } from 'chai';
import { threadSumOf } from '../../../fixtures/tokenHistories.js';
import { DEFAULT_PRICING } from '../../../../domain/tokens/pricing.js';
import { buildTokenReport } from '../../../../domain/tokens/report.js';
import { localDayIn } from '../../../../adapters/driven/system/timeZone.js';
import { tableLines } from '../../../../adapters/driving/cli/commands/tokensTable.js';

/**
 * The table of a report by thread has a row a thread, and one a model under it with `--breakdown
 * model`. Sizing its columns with one `Math.max` argument a row overflowed the stack past about
 * 130,000 rows: `tokens --breakdown model` on a home of 82,000 threads failed with "Maximum call
 * stack size exceeded" and printed nothing.
 */
const GROUPS = 70_000;

describe('tokens table', () => {
  it('prints a table of 140,000 rows, each column as wide as its widest cell', () => {
    const buckets = Array.from({ length: GROUPS }, (_, n) => threadSumOf(n));
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
    expect(lines[0]!.indexOf('responses')).to.equal(threadSumOf(0).threadId.length + 2);
    expect(new Set(lines.map((l) => l.length)).size).to.equal(1);
  });
});
