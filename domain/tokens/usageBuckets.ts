import type { CountedResponse } from './responseFold.js';
import type { Usage } from './usage.js';
import { usageInRange } from './usage.js';
import { utf8Length } from '../utf8.js';

/**
 * What the token projection keeps per rollout file besides its response rows, so a report reads
 * sums, not every response (pure). A response the file itself paid for, whose only possible
 * duplicates are in the same thread's files (see `isLoose`), is added into its file's bucket of
 * (15-minute UTC slot, model, provider, cwd): time zones are offset by whole quarter hours, so a
 * slot falls in one local day, week and month in any of them; 5-hour blocks start at an hour and
 * split only at a gap of 5 hours, so a slot never straddles two blocks given the first and last
 * instant of its responses (`minMs`, `maxMs`). Everything else a report needs (turns, a range cut
 * inside a slot, duplicates across files) is read from the rows.
 */

export const SLOT_MS = 15 * 60 * 1000;

/** A bucket of one file: `[rolloutId, slotMs (-1: no timestamp), model, provider, cwd]` ('' for none). */
export type BucketKey = readonly [string, number, string, string, string];

export interface UsageBucketRow extends Usage {
  readonly responses: number;
  /** First and last instant of its responses (ms); NaN-free: -1 for a bucket without timestamps. */
  readonly minMs: number;
  readonly maxMs: number;
}

/** Every timestamp Codex writes: UTC, `Z`; only these are bucketed (a day is then the text's first ten characters). */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** A timestamp as Codex writes it, of a real instant (`2026-13-45T00:00:00Z` has the shape, not the instant). */
export const isCanonicalUtc = (timestamp: string): boolean =>
  CANONICAL_UTC.test(timestamp) && !Number.isNaN(Date.parse(timestamp));

/** Long keys stay rows (LMDB keys are bounded, in UTF-8 bytes; a cwd of a kilobyte is not worth a bucket). */
const MAX_KEY_TEXT = 1024;

/**
 * A response read from the rows at report time, never bucketed: one another file may hold a copy
 * of (a record naming another thread, a count in a legacy fork), or one whose timestamp, counts
 * or key do not fit a bucket (the report skips and counts the impossible ones).
 */
export const isLoose = (r: CountedResponse): boolean => {
  if (r.source === 'record' ? r.threadId !== r.fileThreadId : r.copyOf !== null) return true;
  if (r.timestamp !== null && !isCanonicalUtc(r.timestamp)) return true;
  if (!usageInRange(r.usage)) return true;
  const texts = [r.model ?? '', r.provider ?? '', r.cwd ?? ''];
  // Bytes, not characters: 1,000 `é` are 2,000 bytes, past LMDB's key limit (1978). A UTF-16 code
  // unit is at most 3 bytes: the usual short texts are not encoded.
  if (texts.reduce((n, t) => n + t.length, 0) * 3 <= MAX_KEY_TEXT) return false;
  return texts.reduce((n, t) => n + utf8Length(t), 0) > MAX_KEY_TEXT;
};

/** The bucket of a response that is not loose. */
export const bucketKeyOf = (
  rolloutId: string,
  r: CountedResponse,
): { readonly key: BucketKey; readonly ms: number } => {
  const ms = r.timestamp === null ? -1 : Date.parse(r.timestamp);
  const slot = ms < 0 ? -1 : Math.floor(ms / SLOT_MS) * SLOT_MS;
  return { key: [rolloutId, slot, r.model ?? '', r.provider ?? '', r.cwd ?? ''], ms };
};

/** A bucket with one more response. */
export const addToBucket = (b: UsageBucketRow | undefined, u: Usage, ms: number): UsageBucketRow => ({
  inputTokens: (b?.inputTokens ?? 0) + u.inputTokens,
  cachedInputTokens: (b?.cachedInputTokens ?? 0) + u.cachedInputTokens,
  cacheWriteInputTokens: (b?.cacheWriteInputTokens ?? 0) + u.cacheWriteInputTokens,
  outputTokens: (b?.outputTokens ?? 0) + u.outputTokens,
  reasoningOutputTokens: (b?.reasoningOutputTokens ?? 0) + u.reasoningOutputTokens,
  totalTokens: (b?.totalTokens ?? 0) + u.totalTokens,
  responses: (b?.responses ?? 0) + 1,
  minMs: b === undefined || ms < b.minMs ? ms : b.minMs,
  maxMs: b === undefined || ms > b.maxMs ? ms : b.maxMs,
});
