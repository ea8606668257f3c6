import { expect } from 'chai';
import fc from 'fast-check';
import { bucketSums, tokenSumsOf } from '../../../domain/tokens/reportSums.js';
import type { UsageBucket } from '../../../domain/tokens/report.js';
import { usageInRange } from '../../../domain/tokens/usage.js';
import { SLOT_MS } from '../../../domain/tokens/usageBuckets.js';
import { RolloutWriter } from '../../fixtures/rolloutLines.js';
import { TokenHistory, auditRowsOf, usage6 } from '../../fixtures/tokenHistories.js';

/**
 * The buckets summed as they are read (`bucketSums`), then put behind the responses' sums
 * (`tokenSumsOf`), give the sums of every response and bucket added one by one: a bucket joins
 * the sum of its thread, slot and keys, else starts one after the others; one of impossible counts
 * stays apart in its place. The reference below adds them one by one.
 */
const T1 = '01a1fe84-0000-7000-8000-00000000a001';
const T2 = '01a1fe84-0000-7000-8000-00000000b002';
const START = Date.UTC(2026, 10, 21, 14, 0, 0);

const keyOf = (e: UsageBucket): string =>
  JSON.stringify([e.threadId, e.firstMs === null ? null : Math.floor(e.firstMs / SLOT_MS), e.model, e.provider, e.cwd]);

const copy = (b: UsageBucket): UsageBucket => ({ ...b, usage: { ...b.usage } });

/** Every bucket added one by one behind `base` (the responses' sums). */
const oneByOne = (base: ReadonlyArray<UsageBucket>, buckets: ReadonlyArray<UsageBucket>): UsageBucket[] => {
  const out = base.map(copy);
  const byKey = new Map(out.map((e) => [keyOf(e), e] as const));
  for (const b of buckets) {
    const s = usageInRange(b.usage, b.responses) ? byKey.get(keyOf(b)) : undefined;
    if (s === undefined) {
      const own = copy(b);
      if (usageInRange(b.usage, b.responses)) byKey.set(keyOf(b), own);
      out.push(own);
      continue;
    }
    const u = s.usage as { -readonly [K in keyof UsageBucket['usage']]: number };
    for (const k of Object.keys(u) as Array<keyof typeof u>) u[k] += b.usage[k];
    Object.assign(s, {
      responses: s.responses + b.responses,
      firstMs: b.firstMs !== null && (s.firstMs === null || b.firstMs < s.firstMs) ? b.firstMs : s.firstMs,
      lastMs: b.lastMs !== null && (s.lastMs === null || b.lastMs > s.lastMs) ? b.lastMs : s.lastMs,
    });
  }
  return out;
};

/** A thread's responses as the index holds them: two turns, gpt-a then gpt-b. */
const rows = () => {
  const w = new RolloutWriter('paginated', T1, { startMs: START });
  w.sessionMeta({ model_provider: 'openai', cwd: '/work/a' });
  new TokenHistory(w)
    .turn('t1', [usage6(100, 0, 10)], { model: 'gpt-a', cwd: '/work/a' })
    .turn('t2', [usage6(200, 50, 20)], { model: 'gpt-b', cwd: '/work/a' });
  return auditRowsOf([{ rolloutId: T1, threadId: T1, lines: w.lines }]);
};

const bucket = fc.record({
  threadId: fc.constantFrom(T1, T2),
  slot: fc.integer({ min: 0, max: 2 }),
  model: fc.constantFrom<string | null>('gpt-a', 'gpt-b', null),
  provider: fc.constantFrom<string | null>('openai', null),
  cwd: fc.constantFrom<string | null>('/work/a', null),
  timed: fc.boolean(),
  counts: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 6, maxLength: 6 }),
  impossible: fc.boolean(),
  responses: fc.integer({ min: 1, max: 3 }),
});

type Drawn = typeof bucket extends fc.Arbitrary<infer V> ? V : never;

const asBucket = (b: Drawn): UsageBucket => {
  const at = START + b.slot * SLOT_MS + 60_000;
  const [i, c, w, o, r, t] = b.counts as [number, number, number, number, number, number];
  return {
    threadId: b.threadId,
    firstMs: b.timed ? at : null,
    lastMs: b.timed ? at + 1_000 : null,
    model: b.model,
    provider: b.provider,
    cwd: b.cwd,
    usage: {
      inputTokens: b.impossible ? -1 : i,
      cachedInputTokens: c,
      cacheWriteInputTokens: w,
      outputTokens: o,
      reasoningOutputTokens: r,
      totalTokens: t,
    },
    responses: b.responses,
  };
};

/** A bucket of one response of T1. */
const oneResponse = (): UsageBucket =>
  asBucket({
    threadId: T1,
    slot: 0,
    model: 'gpt-a',
    provider: 'openai',
    cwd: '/work/a',
    timed: true,
    counts: [1, 0, 0, 1, 0, 2],
    impossible: false,
    responses: 1,
  });

describe('token sums: buckets summed as they are read, behind the responses', () => {
  it('equal every response and bucket added one by one, in the order of their first member', () => {
    const responses = rows();
    const base = tokenSumsOf(responses, bucketSums()).entries;
    expect(base.length, 'the responses make sums of their own').to.be.greaterThan(0);
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 40 }), (drawn) => {
        const buckets = drawn.map(asBucket);
        const sums = bucketSums();
        for (const b of buckets) sums.addBucket(b);
        expect(tokenSumsOf(responses, sums).entries).to.deep.equal(oneByOne(base, buckets));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the buckets it was given as they were', () => {
    const b = oneResponse();
    const before = copy(b);
    const sums = bucketSums();
    sums.addBucket(b);
    sums.addBucket(b);
    tokenSumsOf(rows(), sums);
    expect(b).to.deep.equal(before);
  });

  it("lets go of the buckets' keys once they are behind the responses: a bucket added after is refused", () => {
    const b = oneResponse();
    const sums = bucketSums();
    sums.addBucket(b);
    const joined = tokenSumsOf(rows(), sums);
    expect(() => sums.addBucket(b)).to.throw('a merger joined into another takes no more sums');
    expect(() => sums.addBucket({ ...b, usage: { ...b.usage, totalTokens: -1 } })).to.throw(/takes no more sums/);
    expect(joined.entries.at(-1)).to.deep.include({ threadId: T1, cwd: '/work/a', responses: 1 });
  });
});
