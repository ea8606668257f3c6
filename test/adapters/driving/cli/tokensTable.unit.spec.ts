import { expect } from 'chai';
import { DEFAULT_PRICING } from '../../../../domain/tokens/pricing.js';
import type { UsageGroup } from '../../../../domain/tokens/report.js';
import { tableLines } from '../../../../adapters/driving/cli/commands/tokensTable.js';

/**
 * The table of a report by thread has a row a thread, and one a model under it with `--breakdown
 * model`. Sizing its columns with one `Math.max` argument a row overflowed the stack past about
 * 130,000 rows: `tokens --breakdown model` on a home of 82,000 threads failed with "Maximum call
 * stack size exceeded" and printed nothing.
 */
const GROUPS = 70_000;

// Literals, not spreads: on Node 20 each spread object gets a hidden class of its own, and the
// table's reads of 140,000 of them were several times slower.
const COST = { costUsd: 0.01, pricedCostUsd: 0.01, unpricedModels: [] } as const;

const groupOf = (n: number): UsageGroup => ({
  inputTokens: 10,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  outputTokens: 1,
  reasoningOutputTokens: 0,
  totalTokens: 11 + n,
  responses: 1,
  key: `thread-${n}`,
  models: [
    {
      inputTokens: 10,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 1,
      reasoningOutputTokens: 0,
      totalTokens: 11 + n,
      responses: 1,
      model: 'gpt-5',
      costUsd: COST.costUsd,
      pricedCostUsd: COST.pricedCostUsd,
      unpricedModels: COST.unpricedModels,
    },
  ],
  costUsd: COST.costUsd,
  pricedCostUsd: COST.pricedCostUsd,
  unpricedModels: COST.unpricedModels,
});

describe('tokens table', () => {
  it('prints a table of 140,000 rows, each column as wide as its widest cell', () => {
    const groups = Array.from({ length: GROUPS }, (_, n) => groupOf(n));
    const total = groupOf(-10);
    const skipped = { badTimestamp: 0, tokensOutOfRange: 0 };
    const lines = [...tableLines('thread', groups, total, true, [], DEFAULT_PRICING, skipped)];
    // A head, a rule, a row a group and a model, a rule and the total.
    expect(lines).to.have.length(2 * GROUPS + 4);
    const widest = `thread-${GROUPS - 1}`;
    expect(lines[0]!.indexOf('responses')).to.equal(widest.length + 2);
    expect(new Set(lines.map((l) => l.length)).size).to.equal(1);
  });
});
