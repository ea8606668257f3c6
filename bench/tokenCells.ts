/**
 * The token reports compared by bench/tokensVsCcusage.ts, as cells of one UTC day and model:
 * ccusage's and ours read into the same terms, the cells they differ on, and the cells ccusage
 * should show given the responses it leaves out (bench/ccusageLeftOut.ts).
 */
import type { LeftOutLine } from './ccusageLeftOut.js';

/** Tokens of one day and model, in ccusage's terms (input without the cached part). */
export interface Cell {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  total: number;
}

export type Cells = Map<string, Cell>;

export const ccusageCells = (json: string): Cells => {
  const out: Cells = new Map();
  const doc = JSON.parse(json) as {
    daily: Array<{
      date: string;
      models: Record<
        string,
        {
          inputTokens: number;
          cacheReadTokens: number;
          outputTokens: number;
          reasoningOutputTokens: number;
          totalTokens: number;
        }
      >;
    }>;
  };
  for (const d of doc.daily)
    for (const [model, m] of Object.entries(d.models))
      out.set(`${d.date} ${model}`, {
        input: m.inputTokens,
        cached: m.cacheReadTokens,
        output: m.outputTokens,
        reasoning: m.reasoningOutputTokens,
        total: m.totalTokens,
      });
  return out;
};

export const ourCells = (json: string): Cells => {
  const out: Cells = new Map();
  const doc = JSON.parse(json) as {
    groups: Array<{
      key: string | null;
      models: Array<{
        model: string | null;
        inputTokens: number;
        cachedInputTokens: number;
        outputTokens: number;
        reasoningOutputTokens: number;
        totalTokens: number;
      }>;
    }>;
  };
  for (const g of doc.groups)
    for (const m of g.models)
      out.set(`${g.key} ${m.model}`, {
        input: m.inputTokens - m.cachedInputTokens,
        cached: m.cachedInputTokens,
        output: m.outputTokens,
        reasoning: m.reasoningOutputTokens,
        total: m.totalTokens,
      });
  return out;
};

/** The cells two reports do not agree on (one side may lack the cell). */
export const differingCells = (a: Cells, b: Cells): string[] =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)));

/**
 * The cells ccusage should show given what it leaves out (bench/ccusageLeftOut.ts): ours less
 * those responses, a cell left empty dropped as ccusage drops it.
 */
export const lessLeftOut = (mine: Cells, leftOut: readonly LeftOutLine[]): Cells => {
  const out: Cells = new Map([...mine].map(([k, c]) => [k, { ...c }]));
  for (const l of leftOut) {
    const key = `${l.day} ${l.model}`;
    const c = out.get(key) ?? { input: 0, cached: 0, output: 0, reasoning: 0, total: 0 };
    out.set(key, {
      input: c.input - (l.input - l.cached),
      cached: c.cached - l.cached,
      output: c.output - l.output,
      reasoning: c.reasoning - l.reasoning,
      total: c.total - l.total,
    });
  }
  for (const [k, c] of out)
    if (c.input === 0 && c.cached === 0 && c.output === 0 && c.reasoning === 0 && c.total === 0) out.delete(k);
  return out;
};

/** What ccusage leaves out, per rule: responses, tokens and the rollouts they are in. */
export const leftOutSummary = (leftOut: readonly LeftOutLine[]) =>
  Object.fromEntries(
    (['prefix', 'burst'] as const).map((rule) => {
      const ls = leftOut.filter((l) => l.rule === rule);
      return [
        rule,
        {
          responses: ls.length,
          tokens: ls.reduce((n, l) => n + l.total, 0),
          rollouts: new Set(ls.map((l) => l.rollout)).size,
        },
      ];
    }),
  );

export const totalOf = (cells: Cells): number => [...cells.values()].reduce((n, c) => n + c.total, 0);
