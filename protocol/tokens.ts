import * as t from 'io-ts';
import type { ThreadTokenUsageUpdated } from '../domain/tokens/threadTokenUsage.js';
import { TOKEN_DIMENSIONS } from '../domain/tokens/report.js';
import type {
  ModelUsage,
  Priced,
  SkippedRecords,
  TokenDimension,
  UsageGroup,
  UsageSum,
} from '../domain/tokens/report.js';
import { PricingTable } from '../domain/tokens/pricing.js';
import type { PriceSource } from '../domain/tokens/pricing.js';
import { optional } from './jsonRpc.js';
import { method, threadScope, unscoped } from './methodEntry.js';

/** `thread/tokenUsage/read` params; `rollout-engine token-usage` decodes its argument with it too. */
export const ThreadTokenUsageReadParams = t.type({ threadId: t.string });

/** `thread/tokenUsage/read`: what `thread/resume` replays as `thread/tokenUsage/updated`, asked directly. */
export const threadTokenUsageReadMethod = method<
  ThreadTokenUsageUpdated | { threadId: string; turnId: null; tokenUsage: null }
>()({
  name: 'thread/tokenUsage/read',
  ours: true,
  params: ThreadTokenUsageReadParams,
  scope: (p) => threadScope(p.threadId, 'read'),
});

/** `rolloutEngine/tokens/charts` params: none, or a thread whose turns' usage to add. */
export const TokenChartsParams = optional(t.partial({ threadId: optional(t.string) }));

/** The home's token usage as the viewer charts it: the total, per UTC day and per model, each response counted once (the token audit's rule). */
export interface TokenCharts {
  /** The price table the costs are of (`serve` / `view --pricing FILE`'s, else the one shipped). */
  readonly pricing: PriceSource;
  /** Models of the home the table has no price for: the costs holding their tokens are null, their priced part said apart (`Priced`). */
  readonly unpricedModels: ReadonlyArray<string>;
  readonly total: UsageSum & Priced;
  readonly days: ReadonlyArray<UsageGroup>;
  readonly models: ReadonlyArray<UsageGroup>;
  /** Asked with a thread: its turns' usage (each keyed by turn id; the order is the audit's, not the thread's). */
  readonly turns?: ReadonlyArray<UsageGroup>;
}

/** `rolloutEngine/tokens/charts` (our namespace): the home's token usage per day and per model, for the viewer's charts. */
export const tokensChartsMethod = method<TokenCharts>()({
  name: 'rolloutEngine/tokens/charts',
  ours: true,
  params: TokenChartsParams,
  // A read over every response row, as thread/list reads every thread row: runs with anything.
  scope: unscoped,
});

/** `rolloutEngine/tokens/report` params: the grouping (default `dayLocal`), a range of instants (ISO-8601), the zone of local days, and prices added over the server's table model by model. */
export const TokenReportParams = optional(
  t.partial({
    by: t.keyof(Object.fromEntries(TOKEN_DIMENSIONS.map((d) => [d, null])) as Record<TokenDimension, null>),
    since: optional(t.string),
    until: optional(t.string),
    timeZone: optional(t.string),
    pricing: optional(PricingTable),
  }),
);
export type TokenReportParams = t.TypeOf<typeof TokenReportParams>;

/** What `rolloutEngine/tokens/report` answers: `rollout-engine tokens --by X --json`'s report. */
export interface TokenReportAnswer {
  readonly by: TokenDimension;
  readonly timeZone: string;
  readonly since: string | null;
  readonly until: string | null;
  readonly pricing: PriceSource;
  readonly total: UsageSum & Priced & { readonly models: ReadonlyArray<ModelUsage> };
  readonly unpricedModels: ReadonlyArray<string>;
  readonly groups: ReadonlyArray<UsageGroup>;
  readonly duplicateRecords: number;
  readonly copiedCounts: number;
  readonly outsideRange: number;
  /** Records left out as impossible (a timestamp that is no date, token counts out of range), by why. */
  readonly skippedRecords: SkippedRecords;
}

/** `rolloutEngine/tokens/report` (our namespace): the token report of the whole home over JSON-RPC, as the CLI's `tokens --json` gives it. */
export const tokensReportMethod = method<TokenReportAnswer>()({
  name: 'rolloutEngine/tokens/report',
  ours: true,
  params: TokenReportParams,
  scope: unscoped,
});
