import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { UsageGroup, UsageSum } from '../domain/tokens/report.js';
import { auditTokenUsage } from './auditTokenUsage.js';
import { DEFAULT_PRICING } from '../domain/tokens/pricing.js';
import type { HistoryReadPorts } from './ports.js';
import { take, useCase } from './internal/useCase.js';

/** The home's token usage as the viewer charts it: the total, per UTC day and per model, each response counted once (the token audit's rule). */
export interface TokenCharts {
  readonly total: UsageSum;
  readonly days: ReadonlyArray<UsageGroup>;
  readonly models: ReadonlyArray<UsageGroup>;
  /** Asked with a thread: its turns' usage (each keyed by turn id; the order is the audit's, not the thread's). */
  readonly turns?: ReadonlyArray<UsageGroup>;
}

/** `rolloutEngine/tokens/charts`: the token audit (`rollout-engine tokens`) of the whole home, caught up first, cut to its days (UTC) and models, and to a thread's turns when one is named. */
export const readTokenCharts = (ports: HistoryReadPorts, threadId?: string): TE.TaskEither<EngineError, TokenCharts> =>
  useCase(async () => {
    await take(ports.indexer.refreshAll());
    const report = await take(
      auditTokenUsage(ports.index, {
        localDay: (iso) => iso.slice(0, 10),
        pricing: DEFAULT_PRICING,
        dimensions: threadId === undefined ? ['dayUtc', 'model'] : ['dayUtc', 'model', 'turn'],
      }),
    );
    const byKey = (a: UsageGroup, b: UsageGroup): number => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0);
    return {
      total: report.total,
      days: [...report.groups.dayUtc].sort(byKey),
      models: [...report.groups.model].sort((a, b) => b.totalTokens - a.totalTokens),
      ...(threadId === undefined ? {} : { turns: report.groups.turn.filter((g) => g.threadId === threadId) }),
    };
  });
