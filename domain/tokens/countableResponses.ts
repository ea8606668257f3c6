import type { CountedResponse } from './responseFold.js';
import { usageInRange } from './usage.js';
import type { SkippedRecords, TokenReportOptions, UsageBucket } from './reportShape.js';

// Which responses and buckets a token report counts: the impossible ones left out, the range's edges.

/** The instants whose day is a four-digit year's in every time zone: what days, weeks and months are named for. */
const FIRST_MS = Date.parse('1000-01-02T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-30T23:59:59.999Z');

/** Why a counted response (its instant `ms`, NaN without a timestamp) is left out whatever a report asks, or undefined: a timestamp of no instant, then counts out of range. */
const skipOf = (p: Pick<CountedResponse, 'timestamp' | 'usage'>, ms: number): keyof SkippedRecords | undefined =>
  p.timestamp !== null && !(ms >= FIRST_MS && ms <= LAST_MS)
    ? 'badTimestamp'
    : !usageInRange(p.usage)
      ? 'tokensOutOfRange'
      : undefined;

/**
 * The responses a selection counts, each given with its instant (NaN without a timestamp); the
 * impossible ones are counted in `skipped` by why and left out. The one walk a report and a home's
 * sums (reportSums.ts) make, so both leave out the same responses.
 */
export const eachCountableResponse = (
  counted: ReadonlyArray<{ readonly response: CountedResponse }>,
  skipped: { -readonly [K in keyof SkippedRecords]: number },
  each: (p: CountedResponse, ms: number) => void,
): void => {
  for (const { response: p } of counted) {
    const ms = p.timestamp === null ? Number.NaN : Date.parse(p.timestamp);
    const skip = skipOf(p, ms);
    if (skip !== undefined) skipped[skip] += 1;
    else each(p, ms);
  }
};

/** Where a bucket stands against a report's range: all in, all out, or cut (then its responses must be read). */
export const bucketInRange = (
  b: Pick<UsageBucket, 'firstMs' | 'lastMs'>,
  options: Pick<TokenReportOptions, 'sinceMs' | 'untilMs'>,
): 'in' | 'out' | 'cut' => {
  const { sinceMs, untilMs } = options;
  if (sinceMs === undefined && untilMs === undefined) return 'in';
  if (b.firstMs === null || b.lastMs === null) return 'out';
  const inside = (ms: number) => (sinceMs === undefined || ms >= sinceMs) && (untilMs === undefined || ms < untilMs);
  const first = inside(b.firstMs);
  if (first !== inside(b.lastMs)) return 'cut';
  // Both ends inside means all inside (an interval); both outside may still hold the range between them.
  if (first) return 'in';
  return (sinceMs !== undefined && b.lastMs < sinceMs) || (untilMs !== undefined && b.firstMs >= untilMs)
    ? 'out'
    : 'cut';
};
