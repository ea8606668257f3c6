import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { PricingTable } from '../../domain/tokens/pricing.js';
import type { TokenDimension } from '../../domain/tokens/report.js';
import type { TokenReportAnswer } from '../../protocol/tokens.js';
import { auditTokenUsage } from './auditTokenUsage.js';
import type { HistoryReadPorts } from '../ports.js';
import { take, useCase } from '../../domain/effect.js';

export interface TokenReportQuery {
  readonly by: TokenDimension;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly timeZone: string;
  readonly localDay: (iso: string) => string;
  readonly pricing: PricingTable;
}

/** `rolloutEngine/tokens/report`: the home caught up, then its token report cut to one grouping (the CLI's `tokens --by X --json`). */
export const readTokenReport = (
  ports: HistoryReadPorts,
  q: TokenReportQuery,
): TE.TaskEither<EngineError, TokenReportAnswer> =>
  useCase(async () => {
    await take(ports.indexer.refreshAll());
    const r = await take(
      auditTokenUsage(ports.index, {
        localDay: q.localDay,
        pricing: q.pricing,
        dimensions: [q.by],
        ...(q.sinceMs === undefined ? {} : { sinceMs: q.sinceMs }),
        ...(q.untilMs === undefined ? {} : { untilMs: q.untilMs }),
      }),
    );
    return {
      by: q.by,
      timeZone: q.timeZone,
      since: q.sinceMs === undefined ? null : new Date(q.sinceMs).toISOString(),
      until: q.untilMs === undefined ? null : new Date(q.untilMs).toISOString(),
      pricing: { source: q.pricing.source, asOf: q.pricing.asOf },
      total: r.total,
      unpricedModels: r.unpricedModels,
      groups: r.groups[q.by],
      duplicateRecords: r.duplicateRecords,
      copiedCounts: r.copiedCounts,
      outsideRange: r.outsideRange,
      skippedRecords: r.skippedRecords,
    };
  });
