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
  readonly tokenUsage: { readonly total: TokenCounts; readonly last: TokenCounts; readonly modelContextWindow: number | null } | null;
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
    { class: 'token-bar', role: 'img', 'aria-label': `input: ${n(total.cachedInputTokens)} cached, ${n(uncached)} uncached` },
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
