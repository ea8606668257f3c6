import type { StoredResponse } from './selectResponses.js';
import type { CountedResponse } from './responseFold.js';
import { selectResponses } from './selectResponses.js';
import { usageInRange } from './usage.js';
import { isCanonicalUtc } from './usageBuckets.js';
import type { SkippedRecords, TokenReport, TokenReportOptions, UsageBucket } from './reportShape.js';
import { TOKEN_DIMENSIONS } from './reportShape.js';
import { bucketInRange, eachCountableResponse } from './countableResponses.js';
import type { Entry, GroupTally } from './reportGroups.js';
import { groupTally } from './reportGroups.js';

// The token report: what it answers is reportShape.ts, which responses it counts countableResponses.ts, its groups
// reportGroups.ts (re-exported here, where the report's readers import them from).
export type {
  ModelUsage,
  Priced,
  SkippedRecords,
  TokenDimension,
  TokenReport,
  TokenReportOptions,
  UsageBucket,
  UsageGroup,
  UsageSum,
} from './reportShape.js';
export { NO_MODEL_RECORDED, TOKEN_DIMENSIONS, totalCost } from './reportShape.js';
export { bucketInRange, eachCountableResponse } from './countableResponses.js';

type Skipped = { -readonly [K in keyof SkippedRecords]: number };

const outsideOf = (ms: number, options: TokenReportOptions): boolean =>
  Number.isNaN(ms) ||
  (options.sinceMs !== undefined && ms < options.sinceMs) ||
  (options.untilMs !== undefined && ms >= options.untilMs);

const entryOfResponse = (p: CountedResponse, ms: number): Entry => ({
  threadId: p.threadId,
  turnId: p.turnId,
  // Days are read from the text: one with an offset is read as the UTC instant it names.
  timestamp: p.timestamp === null || isCanonicalUtc(p.timestamp) ? p.timestamp : new Date(ms).toISOString(),
  ms,
  lastMs: ms,
  model: p.model,
  provider: p.provider,
  cwd: p.cwd,
  usage: p.usage,
  responses: 1,
});

const entryOfBucket = (b: UsageBucket): Entry => ({
  threadId: b.threadId,
  turnId: null,
  timestamp: b.firstMs === null ? null : new Date(b.firstMs).toISOString(),
  ms: b.firstMs ?? Number.NaN,
  lastMs: b.lastMs ?? Number.NaN,
  model: b.model,
  provider: b.provider,
  cwd: b.cwd,
  usage: b.usage,
  responses: b.responses,
});

/** Count the selection's responses in the range into the tally; answers how many the range leaves out. */
const countResponses = (
  counted: ReadonlyArray<{ readonly response: CountedResponse }>,
  options: TokenReportOptions,
  tally: GroupTally,
  skipped: Skipped,
): number => {
  const ranged = options.sinceMs !== undefined || options.untilMs !== undefined;
  let outsideRange = 0;
  eachCountableResponse(counted, skipped, (p, ms) => {
    if (ranged && outsideOf(ms, options)) outsideRange += 1;
    else tally.count(entryOfResponse(p, ms));
  });
  return outsideRange;
};

/** Count the buckets in the range into the tally; answers how many responses the range leaves out. */
const countBuckets = (
  buckets: ReadonlyArray<UsageBucket>,
  options: TokenReportOptions,
  tally: GroupTally,
  skipped: Skipped,
): number => {
  let outsideRange = 0;
  for (const b of buckets) {
    const where = bucketInRange(b, options);
    if (where === 'cut') throw new Error('a token bucket cut by the range: its responses must be read');
    // An index written before counts were checked may hold a bucket of impossible ones.
    if (!usageInRange(b.usage, b.responses)) skipped.tokensOutOfRange += b.responses;
    else if (where === 'out') outsideRange += b.responses;
    else tally.count(entryOfBucket(b));
  }
  return outsideRange;
};

/**
 * The token report of a set of stored responses and buckets (pure): each response once, summed
 * per group, priced per model. Buckets hold responses no row duplicates (the caller's to ensure:
 * `replay/tokens/auditTokenUsage.ts`), none cut by the range, and are not asked for turns.
 */
export const buildTokenReport = (
  rows: ReadonlyArray<StoredResponse>,
  options: TokenReportOptions,
  buckets: ReadonlyArray<UsageBucket> = [],
): TokenReport => {
  const selection = selectResponses(rows);
  const dims = options.dimensions ?? TOKEN_DIMENSIONS;
  if (buckets.length > 0 && dims.includes('turn'))
    throw new Error('token buckets hold no turns: a report by turn reads rows');
  const tally = groupTally(dims, options);
  const skipped: Skipped = { badTimestamp: 0, tokensOutOfRange: 0 };
  const outsideRange =
    countResponses(selection.counted, options, tally, skipped) + countBuckets(buckets, options, tally, skipped);
  const { total, unpricedModels, groups } = tally.priceGroups(options.pricing);
  return {
    total,
    unpricedModels,
    groups,
    duplicateRecords: selection.duplicateRecords,
    copiedCounts: selection.copiedCounts,
    outsideRange,
    skippedRecords: skipped,
  };
};
