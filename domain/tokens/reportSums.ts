import type { StoredResponse } from './selectResponses.js';
import { selectResponses } from './selectResponses.js';
import type { SkippedRecords, TokenReport, TokenReportOptions, UsageBucket } from './report.js';
import { bucketInRange, buildTokenReport, eachCountableResponse } from './report.js';
import { usageInRange } from './usage.js';
import { SLOT_MS } from './usageBuckets.js';

/**
 * A home's token usage as a report needs it, whatever its range, zone and grouping (pure): every
 * response counted once (`selectResponses`), summed per (thread, 15-minute UTC slot, model,
 * provider, cwd) — the file buckets the projection keeps, merged across a thread's files, and the
 * responses read as rows added in — with what the selection and the checks left out. A few
 * thousand sums stand for hundreds of thousands of responses; a report by turn, or one whose range
 * or local days cut a sum, reads the responses (`reportFromSums` says so).
 */
export interface TokenSums {
  /** Merged sums, each in one slot, in the order of their first response (rows, then buckets). */
  readonly entries: ReadonlyArray<UsageBucket>;
  /**
   * The same merged across threads (`threadId` ''): what a report grouped by neither thread nor
   * client reads (a few hundred sums where `entries` has one a thread and slot).
   */
  readonly acrossThreads: ReadonlyArray<UsageBucket>;
  /**
   * Merged across threads, providers and cwds too (those null): what a report by time or model
   * reads (one sum a slot and model).
   */
  readonly bySlotAndModel: ReadonlyArray<UsageBucket>;
  readonly duplicateRecords: number;
  readonly copiedCounts: number;
  /** Rows left out whatever the report asks (a bucket of impossible counts stays an entry: the report counts it). */
  readonly skippedRecords: SkippedRecords;
}

/** A home's sums and its threads' clients (the thread's originator, else its source: `TokenReportOptions.clientOf`). */
export interface HomeTokenSums {
  readonly sums: TokenSums;
  readonly clients: ReadonlyMap<string, string | null>;
}

type Entry = { -readonly [K in Exclude<keyof UsageBucket, 'usage'>]: UsageBucket[K] } & {
  usage: { -readonly [K in keyof UsageBucket['usage']]: number };
};

/**
 * The buckets' sums, added as they are read (`addBucket`): a home's buckets need not be held, only
 * their sums (one a thread, slot and keys). `tokenSumsOf` puts the responses' sums in front.
 */
export interface BucketSums {
  readonly addBucket: (b: UsageBucket) => void;
  /** The sums in the order of their first bucket, those kept apart among them. */
  readonly merged: Merger;
}

export const bucketSums = (): BucketSums => {
  const merged = merger((b) => b.threadId);
  return {
    merged,
    addBucket: merged.place,
  };
};

/**
 * The sums of the rows and buckets a report without ranges reads (`auditTokenUsage`: the rows of
 * the threads whose responses may be held twice, the loose ones, the other files' buckets). A
 * response or bucket joins the sum of its thread, slot and keys; each sum stands where its first
 * member stood, so the groups meet their models in the order the full report meets them (a tie in
 * totals keeps that order): the responses first, then the buckets, as if each bucket were added
 * after every response (the buckets' sums, each the sum of its members, join the responses' sums
 * of their keys or follow them in their own order). A bucket of impossible counts is kept apart,
 * as the report skips it whole.
 */
export const tokenSumsOf = (rows: ReadonlyArray<StoredResponse>, buckets: BucketSums): TokenSums => {
  const selection = selectResponses(rows);
  const merged = merger((b) => b.threadId);
  const skipped = { badTimestamp: 0, tokensOutOfRange: 0 };
  eachCountableResponse(selection.counted, skipped, (p, ms) => {
    const timed = p.timestamp !== null;
    merged.add({
      threadId: p.threadId,
      firstMs: timed ? ms : null,
      lastMs: timed ? ms : null,
      model: p.model,
      provider: p.provider,
      cwd: p.cwd,
      usage: p.usage,
      responses: 1,
    });
  });
  merged.join(buckets.merged);
  /** The sums merged again, with fields no grouping of theirs reads left out. */
  const coarser = (of: ReadonlyArray<UsageBucket>, keep: (e: UsageBucket) => UsageBucket): Entry[] => {
    const m = merger(() => '');
    for (const e of of) m.place(keep(e));
    return m.entries;
  };
  const acrossThreads = coarser(merged.entries, (e) => ({ ...e, threadId: '' }));
  return {
    entries: merged.entries,
    acrossThreads,
    bySlotAndModel: coarser(acrossThreads, (e) => ({ ...e, provider: null, cwd: null })),
    duplicateRecords: selection.duplicateRecords,
    copiedCounts: selection.copiedCounts,
    skippedRecords: skipped,
  };
};

type Merger = ReturnType<typeof merger>;

/**
 * One string a model, provider and cwd among a merger's sums: as read from the index each sum's
 * were strings of their own (a cwd a concatenation of two), most of a 10 GB home's sums by thread.
 */
const stringTable = () => {
  const strings = new Map<string, string>();
  return {
    of: (x: string | null): string | null => {
      if (x === null) return null;
      const known = strings.get(x);
      if (known !== undefined) return known;
      strings.set(x, x);
      return x;
    },
    clear: (): void => strings.clear(),
  };
};

/** The key of `b`'s sum under `threadId`: its slot, model, provider and cwd. */
const keyOf = (threadId: string, b: UsageBucket): string =>
  // Joined, not a template: one flat string a sum, where a template's pieces stay a tree of
  // concatenations beside it (eight a key; most of the sums' heap on a home of 20,000 threads).
  [
    threadId,
    b.firstMs === null ? 'none' : String(Math.floor(b.firstMs / SLOT_MS)),
    b.model ?? '\u0001',
    b.provider ?? '\u0001',
    b.cwd ?? '\u0001',
  ].join('\u0000');

/** `b` added into the sum `s`: its counts, responses and ends. */
const addTo = (s: Entry, b: UsageBucket): void => {
  const u = s.usage;
  u.inputTokens += b.usage.inputTokens;
  u.cachedInputTokens += b.usage.cachedInputTokens;
  u.cacheWriteInputTokens += b.usage.cacheWriteInputTokens;
  u.outputTokens += b.usage.outputTokens;
  u.reasoningOutputTokens += b.usage.reasoningOutputTokens;
  u.totalTokens += b.usage.totalTokens;
  s.responses += b.responses;
  if (b.firstMs !== null && (s.firstMs === null || b.firstMs < s.firstMs)) s.firstMs = b.firstMs;
  if (b.lastMs !== null && (s.lastMs === null || b.lastMs > s.lastMs)) s.lastMs = b.lastMs;
};

/**
 * Sums per (thread as `threadOf` names it, slot, model, provider, cwd), each where its first member
 * was added; `place` keeps one of impossible counts apart, as it is (the report skips it whole).
 * `join` adds another merger's sums after this one's, as if its members were added here one by one:
 * a sum of a key this one holds joins it, the others follow in their order, its apart ones among them.
 */
const merger = (threadOf: (b: UsageBucket) => string) => {
  const sums = new Map<string, Entry>();
  const entries: Entry[] = [];
  const keptApart = new Set<Entry>();
  const strings = stringTable();
  const interned = strings.of;
  /**
   * A sum of its own: `b` copied, or `kept` (another merger's sum, joined) when it names the same
   * thread. Written as one literal, not spread: a home's sums number one a thread and slot
   * (reportGroups.ts `accOf` says why).
   */
  const own = (b: UsageBucket, threadId: string, kept: Entry | undefined): Entry =>
    kept !== undefined && kept.threadId === threadId
      ? kept
      : {
          threadId,
          firstMs: b.firstMs,
          lastMs: b.lastMs,
          model: interned(b.model),
          provider: interned(b.provider),
          cwd: interned(b.cwd),
          usage: {
            inputTokens: b.usage.inputTokens,
            cachedInputTokens: b.usage.cachedInputTokens,
            cacheWriteInputTokens: b.usage.cacheWriteInputTokens,
            outputTokens: b.usage.outputTokens,
            reasoningOutputTokens: b.usage.reasoningOutputTokens,
            totalTokens: b.usage.totalTokens,
          },
          responses: b.responses,
        };
  let closed = false;
  const open = (): void => {
    if (closed) throw new Error('a merger joined into another takes no more sums');
  };
  const add = (b: UsageBucket, kept?: Entry): void => {
    open();
    const threadId = threadOf(b);
    const key = keyOf(threadId, b);
    const s = sums.get(key);
    if (s !== undefined) return addTo(s, b);
    const e = own(b, threadId, kept);
    sums.set(key, e);
    entries.push(e);
  };
  const apart = (b: UsageBucket, kept?: Entry): void => {
    open();
    const e = own(b, threadOf(b), kept);
    keptApart.add(e);
    entries.push(e);
  };
  return {
    entries,
    add: (b: UsageBucket): void => add(b),
    /** Added to its sum, or kept apart when its counts are impossible (the report skips it whole). */
    place: (b: UsageBucket): void => (usageInRange(b.usage, b.responses) ? add(b) : apart(b)),
    join: (other: {
      readonly entries: ReadonlyArray<Entry>;
      readonly keptApart: ReadonlySet<Entry>;
      readonly joined: () => void;
    }): void => {
      for (const e of other.entries) {
        if (other.keptApart.has(e)) apart(e, e);
        else add(e, e);
      }
      other.joined();
    },
    keptApart,
    /**
     * Its sums are another merger's now (`join`): its keys go, one a sum (a 10 GB home's buckets:
     * 64,378 keys, 11 MB), which its caller may hold to the report's end. It takes no more.
     */
    joined: (): void => {
      sums.clear();
      strings.clear();
      closed = true;
    },
  };
};

/** Groupings that read a response's thread; its provider or cwd. */
const BY_THREAD = new Set<string>(['thread', 'client']);
const BY_PLACE = new Set<string>(['provider', 'cwd']);

/** Groupings by the local calendar: a sum whose ends fall in two local days cannot be placed in one. */
const BY_LOCAL_DAY = new Set<string>(['dayLocal', 'week', 'month']);

/**
 * The report `buildTokenReport` gives of the same responses, from their sums; undefined when the
 * sums cannot give it: a report by turn (sums hold no turns), a range that cuts a sum, or a sum
 * whose first and last response fall in two local days of the report's zone (one not offset by
 * quarter hours). A sum lies in one slot, so the other groupings place all of it where each of
 * its responses goes (usageBuckets.ts says why, blocks included).
 */
export const reportFromSums = (sums: TokenSums, options: TokenReportOptions): TokenReport | undefined => {
  const dims = options.dimensions;
  if (dims === undefined || dims.includes('turn')) return undefined;
  const byLocalDay = dims.some((d) => BY_LOCAL_DAY.has(d));
  const day = (ms: number) => options.localDay(new Date(ms).toISOString());
  const entries = dims.some((d) => BY_THREAD.has(d))
    ? sums.entries
    : dims.some((d) => BY_PLACE.has(d))
      ? sums.acrossThreads
      : sums.bySlotAndModel;
  for (const e of entries) {
    if (bucketInRange(e, options) === 'cut') return undefined;
    if (
      byLocalDay &&
      e.firstMs !== null &&
      e.lastMs !== null &&
      e.firstMs !== e.lastMs &&
      day(e.firstMs) !== day(e.lastMs)
    )
      return undefined;
  }
  const r = buildTokenReport([], options, entries);
  return {
    ...r,
    duplicateRecords: sums.duplicateRecords,
    copiedCounts: sums.copiedCounts,
    skippedRecords: {
      badTimestamp: sums.skippedRecords.badTimestamp + r.skippedRecords.badTimestamp,
      tokensOutOfRange: sums.skippedRecords.tokensOutOfRange + r.skippedRecords.tokensOutOfRange,
    },
  };
};
