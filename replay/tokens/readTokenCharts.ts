import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { UsageGroup } from '../../domain/tokens/report.js';
import { auditTokenUsage } from './auditTokenUsage.js';
import type { PricingTable } from '../../domain/tokens/pricing.js';
import type { HistoryReadPorts } from '../ports.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `rolloutEngine/tokens/charts` asks (the protocol's params: none, or a thread). */
export type TokenChartsQuery = ParamsOf<'rolloutEngine/tokens/charts'>;

/** Beside the params: the prices are the server's (`serve` / `view --pricing FILE`, else the table shipped), not the client's to give. */
export interface TokenChartsOptions {
  readonly pricing: PricingTable;
}

export type { TokenCharts } from '../../protocol/tokens.js';
import type { TokenCharts } from '../../protocol/tokens.js';

/**
 * `rolloutEngine/tokens/charts`: the token audit (`rollout-engine tokens`) of the whole home at
 * `pricing`, caught up first, cut to its days (UTC) and models, and to a thread's turns when one
 * is named (null: none); with the prices used and the models they lack.
 */
export const readTokenCharts = (
  ports: HistoryReadPorts,
  q: TokenChartsQuery,
  { pricing }: TokenChartsOptions,
): TE.TaskEither<EngineError, TokenCharts> =>
  useCase(async () => {
    const threadId = q?.threadId ?? undefined;
    await take(ports.indexer.refreshAll());
    const report = await take(
      auditTokenUsage(ports.index, {
        localDay: (iso) => iso.slice(0, 10),
        pricing,
        dimensions: threadId === undefined ? ['dayUtc', 'model'] : ['dayUtc', 'model', 'turn'],
      }),
    );
    const byKey = (a: UsageGroup, b: UsageGroup): number =>
      (a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0;
    return {
      pricing: { source: pricing.source, asOf: pricing.asOf },
      unpricedModels: report.unpricedModels,
      total: report.total,
      days: [...report.groups.dayUtc].sort(byKey),
      models: [...report.groups.model].sort((a, b) => b.totalTokens - a.totalTokens),
      ...(threadId === undefined ? {} : { turns: report.groups.turn.filter((g) => g.threadId === threadId) }),
    };
  });
