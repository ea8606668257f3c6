import { expect } from 'chai';
import fc from 'fast-check';
import { allocateTimestamp, backfillOrder, backfilledRowTimes } from '../../../domain/thread/backfillTimes.js';
import type { BackfilledFile } from '../../../domain/thread/backfillTimes.js';

const SECOND = Date.parse('2026-11-21T12:00:00.000Z');

/** Files of a few threads (one to three files each) under a home, at mtimes within a few seconds. */
const filesArb = fc.uniqueArray(
  fc.record({
    relativePath: fc
      .tuple(
        fc.constantFrom('sessions/2026/11/20/', 'sessions/2026/11/21/', 'archived_sessions/'),
        fc.integer({ min: 0, max: 999 }),
      )
      .map(([dir, n]) => `${dir}rollout-${n}.jsonl`),
    threadId: fc.constantFrom('t1', 't2', 't3', 't4', 't5'),
    mtimeMs: fc
      .tuple(fc.integer({ min: SECOND - 3000, max: SECOND + 3000 }), fc.constantFrom(0, 0.25, 0.999))
      .map(([ms, frac]) => ms + frac),
  }),
  { selector: (f) => f.relativePath, minLength: 1, maxLength: 12 },
);

describe('backfilled row times (Codex allocate_thread_timestamp over its backfill order, issue 69)', () => {
  it('takes a candidate above the mark, one a second or more below it unchanged, else the next millisecond past the mark', () => {
    expect(allocateTimestamp(0, SECOND)).to.equal(SECOND);
    expect(allocateTimestamp(SECOND, SECOND + 1)).to.equal(SECOND + 1);
    expect(allocateTimestamp(SECOND, SECOND)).to.equal(SECOND + 1);
    expect(allocateTimestamp(SECOND + 999, SECOND)).to.equal(SECOND + 1000);
    expect(allocateTimestamp(SECOND + 1000, SECOND)).to.equal(SECOND);
  });

  it("answers the rows Codex 0.169.0 wrote for backfillTimes.compat's home (archived first, a revision's thread keeps its root's recency)", () => {
    const rows = backfilledRowTimes([
      { relativePath: 'sessions/2026/11/23/rollout-2026-11-23T10-09-00-9.jsonl', threadId: '9', mtimeMs: SECOND + 200 },
      {
        relativePath: 'sessions/2026/11/22/rollout-2026-11-22T14-03-00-8_r.jsonl',
        threadId: '8',
        mtimeMs: SECOND + 300.5,
      },
      {
        relativePath: 'sessions/2026/11/22/rollout-2026-11-22T14-00-00-8.jsonl',
        threadId: '8',
        mtimeMs: SECOND - 7_200_000,
      },
      { relativePath: 'sessions/2026/11/20/rollout-2026-11-20T10-07-00-7.jsonl', threadId: '7', mtimeMs: SECOND + 100 },
      { relativePath: 'sessions/2026/11/20/rollout-2026-11-20T10-06-00-6.jsonl', threadId: '6', mtimeMs: SECOND + 700 },
      { relativePath: 'archived_sessions/rollout-2026-11-20T10-05-00-5.jsonl', threadId: '5', mtimeMs: SECOND + 900.9 },
    ]);
    // The measurement (Codex's state_5.sqlite after its first start, ms past SECOND).
    expect([...rows].sort().map(([id, r]) => [id, r.updatedMs - SECOND, r.recencyMs - SECOND])).to.deep.equal([
      ['5', 900, 900],
      ['6', 901, 901],
      ['7', 902, 902],
      ['8', 903, -7_200_000],
      ['9', 904, 904],
    ]);
  });

  it('orders by the path as UTF-8 bytes, as Rust sorts strings (not by UTF-16 units)', () => {
    const paths = ['sessions/\u{1F600}', 'sessions/\uFF21', 'sessions/a', 'archived_sessions/z'];
    expect(backfillOrder(paths.map((relativePath) => ({ relativePath }))).map((f) => f.relativePath)).to.deep.equal([
      'archived_sessions/z',
      'sessions/a',
      'sessions/\uFF21',
      'sessions/\u{1F600}',
    ]);
  });

  it('orders any paths as their UTF-8 bytes, those with units from U+D800 up among the rest', () => {
    // Units on both sides of where UTF-16 order and code point order part (surrogates, U+E000 up).
    const unit = fc.constantFrom(
      'a',
      '/',
      '-',
      '\u00e9',
      '\ud7ff',
      '\ue000',
      '\uff21',
      '\uffff',
      '\u{10000}',
      '\u{1f600}',
    );
    const path = fc.array(unit, { maxLength: 6 }).map((units) => `sessions/${units.join('')}`);
    fc.assert(
      fc.property(fc.array(path, { maxLength: 12 }), (paths) => {
        const byBytes = [...paths].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
        expect(backfillOrder(paths.map((relativePath) => ({ relativePath }))).map((f) => f.relativePath)).to.deep.equal(
          byBytes,
        );
      }),
    );
  });

  it('depends on the files, not the order they are given in', () => {
    fc.assert(
      fc.property(
        filesArb.chain((files) =>
          fc.tuple(
            fc.constant(files),
            fc.shuffledSubarray(files, { minLength: files.length, maxLength: files.length }),
          ),
        ),
        ([files, shuffled]) => {
          expect([...backfilledRowTimes(shuffled)].sort()).to.deep.equal([...backfilledRowTimes(files)].sort());
        },
      ),
    );
  });

  it("gives each thread its last file's time as updated and its first file's as recency, each its mtime's millisecond or up to a second past it", () => {
    fc.assert(
      fc.property(filesArb, (files) => {
        const rows = backfilledRowTimes(files);
        const byThread = new Map<string, BackfilledFile[]>();
        for (const f of backfillOrder(files)) byThread.set(f.threadId, [...(byThread.get(f.threadId) ?? []), f]);
        expect([...rows.keys()].sort()).to.deep.equal([...byThread.keys()].sort());
        for (const [id, own] of byThread) {
          const row = rows.get(id)!;
          const first = Math.floor(own[0]!.mtimeMs);
          const last = Math.floor(own[own.length - 1]!.mtimeMs);
          expect(row.recencyMs).to.be.within(first, first + 1000);
          expect(row.updatedMs).to.be.within(last, last + 1000);
          // One file: both columns saw the same candidates, so the row is one reading.
          if (own.length === 1) expect(row.updatedMs).to.equal(row.recencyMs);
        }
      }),
    );
  });

  it('leaves mtimes alone when every file is at least a second after the one before it in path order, and makes times a second apart unique', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1000, max: 5000 }), { minLength: 1, maxLength: 10 }), (gaps) => {
        let at = SECOND;
        const files = gaps.map((gap, i) => ({
          relativePath: `sessions/${String(i).padStart(3, '0')}`,
          threadId: `t${i}`,
          mtimeMs: (at += gap),
        }));
        const rows = backfilledRowTimes(files);
        for (const f of files)
          expect(rows.get(f.threadId)).to.deep.equal({ updatedMs: f.mtimeMs, recencyMs: f.mtimeMs });
      }),
    );
    // Unique while the mark stays under every candidate + 1000 ms: 20 files within the first 980 ms of
    // a second. Past that Codex takes a candidate 1000 ms below the mark unchanged, so times repeat
    // (fast-check found [996, 0, 0, 0, 0, 0, 0]: the fifth and later files at the second's start).
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 979 }), { minLength: 1, maxLength: 20 }), (offsets) => {
        const files = offsets.map((ms, i) => ({
          relativePath: `sessions/${String(i).padStart(3, '0')}`,
          threadId: `t${i}`,
          mtimeMs: SECOND + ms,
        }));
        const times = [...backfilledRowTimes(files).values()].map((r) => r.updatedMs);
        expect(new Set(times).size).to.equal(files.length);
      }),
    );
    const past = [996, 0, 0, 0, 0, 0, 0].map((ms, i) => ({
      relativePath: `sessions/${i}`,
      threadId: `t${i}`,
      mtimeMs: SECOND + ms,
    }));
    expect([...backfilledRowTimes(past).values()].map((r) => r.updatedMs - SECOND)).to.deep.equal([
      996, 997, 998, 999, 1000, 0, 0,
    ]);
  });
});
