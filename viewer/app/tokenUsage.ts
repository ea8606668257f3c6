import { element } from './dom.js';

/** Token counts as `thread/tokenUsage/read` (and `thread/tokenUsage/updated`) give them. */
interface TokenCounts {
  readonly totalTokens: number;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly reasoningOutputTokens: number;
}

export interface TokenUsageAnswer {
  readonly threadId: string;
  readonly turnId: string | null;
  readonly tokenUsage: {
    readonly total: TokenCounts;
    readonly last: TokenCounts;
    readonly modelContextWindow: number | null;
  } | null;
}

const n = (v: number): string => v.toLocaleString('en-US');

/** The thread's usage so far: totals, input split into cached and uncached (a bar), output, and the last turn against the context window. */
export const tokenUsageNode = (u: TokenUsageAnswer): Node => {
  const usage = u.tokenUsage;
  if (usage === null) return document.createTextNode('no token usage recorded');
  const { total, last, modelContextWindow } = usage;
  const uncached = Math.max(0, total.inputTokens - total.cachedInputTokens);
  const bar = element(
    'span',
    {
      class: 'token-bar',
      role: 'img',
      'aria-label': `input: ${n(total.cachedInputTokens)} cached, ${n(uncached)} uncached`,
    },
    element('span', { class: 'token-cached' }),
    element('span', { class: 'token-uncached' }),
  );
  // Widths set through the CSSOM: the CSP refuses style attributes in markup, not this.
  const share = total.inputTokens === 0 ? 0 : total.cachedInputTokens / total.inputTokens;
  (bar.children[0] as HTMLElement).style.width = `${(share * 100).toFixed(1)}%`;
  (bar.children[1] as HTMLElement).style.width = `${((1 - share) * 100).toFixed(1)}%`;
  return element(
    'span',
    { class: 'tokens' },
    `tokens: ${n(total.totalTokens)} total · input ${n(total.inputTokens)} (cached ${n(total.cachedInputTokens)}, uncached ${n(uncached)}) `,
    bar,
    ` · output ${n(total.outputTokens)} (reasoning ${n(total.reasoningOutputTokens)})` +
      (modelContextWindow === null ? '' : ` · last turn ${n(last.totalTokens)} of a ${n(modelContextWindow)} window`),
  );
};

/**
 * A group of the home's token audit (replay/tokens/readTokenCharts.ts): its counts and their cost
 * in USD (domain/tokens/report.ts `Priced`: null where a model has no price, then the priced part
 * and the models left out).
 */
interface UsageGroup {
  readonly key: string | null;
  readonly inputTokens: number;
  readonly cachedInputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly costUsd?: number | null;
  readonly pricedCostUsd?: number;
  readonly unpricedModels?: ReadonlyArray<string>;
}

export interface TokenChartsAnswer {
  /** The price table the costs are of (`view --pricing FILE`'s, else the one shipped). */
  readonly pricing: { readonly source: string; readonly asOf: string };
  /** The home's models that table has no price for (their costs are unknown). */
  readonly unpricedModels: ReadonlyArray<string>;
  readonly total: Omit<UsageGroup, 'key'>;
  readonly days: ReadonlyArray<UsageGroup>;
  readonly models: ReadonlyArray<UsageGroup>;
  readonly turns?: ReadonlyArray<UsageGroup>;
}

/** Dollars as the token report gives them: cents, or four places below a cent. */
const dollars = (c: number): string => (c !== 0 && c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`);

/** A group's cost as the CLI's table gives it (adapters/driving/cli/commands/tokens.ts `costText`): the whole, else the priced part `+ ?` naming the models without a price. */
const usd = (g: Pick<UsageGroup, 'costUsd' | 'pricedCostUsd' | 'unpricedModels'>): string => {
  if (g.costUsd !== null && g.costUsd !== undefined) return dollars(g.costUsd);
  const priced = g.pricedCostUsd ?? 0;
  const missing =
    g.unpricedModels === undefined || g.unpricedModels.length === 0
      ? 'cost unknown'
      : `${g.unpricedModels.join(', ')}: no price`;
  return `${priced > 0 ? `${dollars(priced)} + ` : ''}? (${missing})`;
};

/** A round number of tokens, short (`1.2M`), for the axis. */
const short = (v: number): string =>
  v >= 1e9
    ? `${+(v / 1e9).toFixed(1)}G`
    : v >= 1e6
      ? `${+(v / 1e6).toFixed(1)}M`
      : v >= 1e3
        ? `${+(v / 1e3).toFixed(1)}k`
        : String(v);

/**
 * One bar chart: a row per group — its key and its values (tokens, cost) on a line of their own,
 * then its bar (cached input, uncached input and output stacked) across the chart's width, scaled
 * to the largest group — and an axis under the bars from 0 to that largest total. Nothing shares
 * a line with a bar, so no label is cut or covered at any width.
 */
const chart = (title: string, groups: ReadonlyArray<UsageGroup>): HTMLElement => {
  const max = Math.max(1, ...groups.map((g) => g.totalTokens));
  const rows = groups.map((g) => {
    const part = (cls: string, v: number): HTMLElement => {
      const s = element('span', { class: cls });
      s.style.width = `${((v / max) * 100).toFixed(2)}%`;
      return s;
    };
    const uncached = Math.max(0, g.inputTokens - g.cachedInputTokens);
    const label = g.key ?? '(unknown)';
    return element(
      'li',
      {
        'aria-label': `${label}: ${n(g.totalTokens)} tokens (${usd(g)}), input ${n(g.cachedInputTokens)} cached and ${n(uncached)} uncached, output ${n(g.outputTokens)}`,
      },
      element('span', { class: 'chart-key' }, label),
      element(
        'span',
        { class: 'chart-value' },
        element('span', { class: 'chart-tokens' }, n(g.totalTokens)),
        ' tokens · ',
        element('span', { class: 'chart-cost' }, usd(g)),
      ),
      element(
        'span',
        { class: 'chart-bar', 'aria-hidden': 'true' },
        part('token-cached', g.cachedInputTokens),
        part('token-uncached', uncached),
        part('token-output', g.outputTokens),
      ),
    );
  });
  const axis = element(
    'div',
    { class: 'chart-axis', 'aria-hidden': 'true' },
    element('span', {}, '0'),
    element('span', {}, `${short(max)} tokens`),
  );
  return element(
    'figure',
    { class: 'chart' },
    element('figcaption', {}, title),
    element('ul', { 'aria-label': title }, ...rows),
    axis,
  );
};

/** Whose prices the costs are, and, where one is unknown, which models lack a price and how to give them. */
const pricesNote = (c: TokenChartsAnswer): string =>
  c.unpricedModels.length === 0
    ? `costs at the prices of ${c.pricing.source}, as of ${c.pricing.asOf}`
    : `cost unknown for ${c.unpricedModels.join(', ')}: no price in the price table (${c.pricing.source}, as of ${c.pricing.asOf}); ` +
      'give their prices with rollout-engine view --pricing FILE, which adds to the table shipped (docs/reports.md)';

/** The home's token usage: the total and its cost, whose prices they are, then per day (UTC) and per model. */
export const tokenChartsNode = (c: TokenChartsAnswer): HTMLElement =>
  element(
    'div',
    {},
    element(
      'p',
      { class: 'meta chart-total' },
      `${n(c.total.totalTokens)} tokens in all (${usd(c.total)}) · cached input ${n(c.total.cachedInputTokens)} of ${n(c.total.inputTokens)}`,
    ),
    element('p', { class: 'meta chart-prices' }, pricesNote(c)),
    element(
      'p',
      { class: 'legend' },
      element('span', { class: 'swatch token-cached' }),
      ' cached input ',
      element('span', { class: 'swatch token-uncached' }),
      ' uncached input ',
      element('span', { class: 'swatch token-output' }),
      ' output',
    ),
    chart('Per day (UTC)', c.days),
    chart('Per model', c.models),
  );
