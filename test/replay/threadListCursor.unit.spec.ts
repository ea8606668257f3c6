import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { ThreadCursorMethod, ThreadListCursor, ThreadSortKey } from '../../replay/internal/threadListCursor.js';
import {
  backwardsThreadCursor,
  compareInThreadOrder,
  cursorWalkStart,
  inThreadOrder,
  nextThreadCursor,
  parseThreadListCursor,
  pastCursor,
} from '../../replay/internal/threadListCursor.js';

const A = '01a1fe84-0000-7000-8000-00000000000a';
const B = '01a1fe84-0000-7000-8000-00000000000b';
const C = '01a1fe84-0000-7000-8000-00000000000c';
const at = (time: string): number => Date.parse(`2026-11-21T14:31:${time}Z`);

const cursorOf = (text: string): ThreadListCursor => {
  const parsed = parseThreadListCursor(text);
  if (E.isLeft(parsed)) throw new Error(`not a cursor: ${text}`);
  return parsed.right;
};

/** Whether a row `id` at `time` is on the page `cursor` starts. */
const past = (
  method: ThreadCursorMethod,
  key: ThreadSortKey,
  time: string,
  id: string,
  cursor: string,
  direction: 'asc' | 'desc',
): boolean => pastCursor(method, key, { row: { id }, key: at(time) }, cursorOf(cursor), direction);

describe('thread list and search cursors (Codex 0.169.0)', () => {
  it("thread/search's backwards cursor: created_at is the state DB's second ∓ 1 ms, as Codex answered live", () => {
    // A row created at …02.859: Codex answered …01.999 on a descending page, …02.001 ascending.
    expect(backwardsThreadCursor('search', 'created_at', at('02.859'), 'desc')).to.equal('2026-11-21T14:31:01.999Z');
    expect(backwardsThreadCursor('search', 'created_at', at('02.859'), 'asc')).to.equal('2026-11-21T14:31:02.001Z');
    expect(backwardsThreadCursor('search', 'created_at', at('02.000'), 'desc')).to.equal('2026-11-21T14:31:01.999Z');
  });

  it("thread/search's backwards cursor: updated_at and recency_at are the millisecond ∓ 1", () => {
    for (const key of ['updated_at', 'recency_at'] as const) {
      expect(backwardsThreadCursor('search', key, at('02.859'), 'desc')).to.equal('2026-11-21T14:31:02.858Z');
      expect(backwardsThreadCursor('search', key, at('02.859'), 'asc')).to.equal('2026-11-21T14:31:02.860Z');
      expect(backwardsThreadCursor('search', key, at('03.000'), 'desc')).to.equal('2026-11-21T14:31:02.999Z');
    }
  });

  it("thread/list's backwards cursor: the session's millisecond ∓ 1 on every key (a session_meta at …18.015 gave …18.014)", () => {
    expect(backwardsThreadCursor('fileScan', 'created_at', at('18.015'), 'desc')).to.equal('2026-11-21T14:31:18.014Z');
    expect(backwardsThreadCursor('fileScan', 'created_at', at('18.015'), 'asc')).to.equal('2026-11-21T14:31:18.016Z');
    expect(backwardsThreadCursor('fileScan', 'updated_at', at('18.257'), 'desc')).to.equal('2026-11-21T14:31:18.256Z');
    expect(backwardsThreadCursor('fileScan', 'recency_at', at('18.215'), 'asc')).to.equal('2026-11-21T14:31:18.216Z');
  });

  it('next cursors stay as Codex writes them: created_at in seconds (file scan, thread/search), the others in milliseconds with trailing zeros cut', () => {
    for (const method of ['fileScan', 'search'] as const) {
      expect(nextThreadCursor(method, 'created_at', at('02.859'), A)).to.equal(`2026-11-21T14:31:02Z|${A}`);
      expect(nextThreadCursor(method, 'updated_at', at('02.850'), A)).to.equal(`2026-11-21T14:31:02.85Z|${A}`);
      expect(nextThreadCursor(method, 'recency_at', at('02.000'), A)).to.equal(`2026-11-21T14:31:02Z|${A}`);
    }
  });

  it("a state-DB thread/list page's next cursor holds created_at to the millisecond (0.169.0 answered …04.999Z, …04.9Z, …05Z)", () => {
    expect(nextThreadCursor('stateDb', 'created_at', at('04.999'), A)).to.equal(`2026-11-21T14:31:04.999Z|${A}`);
    expect(nextThreadCursor('stateDb', 'created_at', at('04.900'), A)).to.equal(`2026-11-21T14:31:04.9Z|${A}`);
    expect(nextThreadCursor('stateDb', 'created_at', at('05.000'), A)).to.equal(`2026-11-21T14:31:05Z|${A}`);
    // Its backwards cursor is the row's second ∓ 1 ms, as thread/search's.
    expect(backwardsThreadCursor('stateDb', 'created_at', at('04.999'), 'desc')).to.equal('2026-11-21T14:31:03.999Z');
    expect(backwardsThreadCursor('stateDb', 'created_at', at('04.500'), 'asc')).to.equal('2026-11-21T14:31:04.001Z');
  });

  it('thread/search reads a cursor to the millisecond, strictly: a row at the cursor time is not on the page', () => {
    for (const key of ['created_at', 'updated_at', 'recency_at'] as const) {
      const cursor = '2026-11-21T14:31:02.859Z';
      expect(past('search', key, '02.859', A, cursor, 'desc')).to.equal(false);
      expect(past('search', key, '02.859', A, cursor, 'asc')).to.equal(false);
      expect(past('search', key, '02.858', A, cursor, 'desc')).to.equal(true);
      expect(past('search', key, '02.860', A, cursor, 'asc')).to.equal(true);
    }
    // A cursor in seconds is that second's first millisecond: descending only earlier seconds, ascending the same second again.
    expect(past('search', 'created_at', '02.500', A, `2026-11-21T14:31:02Z|${B}`, 'desc')).to.equal(false);
    expect(past('search', 'created_at', '02.500', A, `2026-11-21T14:31:02Z|${B}`, 'asc')).to.equal(true);
    // The same time: by id.
    expect(past('search', 'created_at', '02.000', A, `2026-11-21T14:31:02Z|${B}`, 'desc')).to.equal(true);
    expect(past('search', 'created_at', '02.000', C, `2026-11-21T14:31:02Z|${B}`, 'desc')).to.equal(false);
    expect(past('search', 'created_at', '02.000', C, `2026-11-21T14:31:02Z|${B}`, 'asc')).to.equal(true);
  });

  it("a search page's backwards cursor, passed back the other way, starts at the page's first row's second (descending) or past it (ascending)", () => {
    // Descending page led by …02.859: back ascending from …01.999 takes all of second 02 on.
    const back = backwardsThreadCursor('search', 'created_at', at('02.859'), 'desc');
    expect(past('search', 'created_at', '02.859', A, back, 'asc')).to.equal(true);
    expect(past('search', 'created_at', '02.000', B, back, 'asc')).to.equal(true);
    expect(past('search', 'created_at', '01.999', B, back, 'asc')).to.equal(false);
    // Ascending page led by …02.859: back descending from …02.001 (Codex leaves the row out, as here).
    const up = backwardsThreadCursor('search', 'created_at', at('02.859'), 'asc');
    expect(past('search', 'created_at', '02.859', A, up, 'desc')).to.equal(false);
    expect(past('search', 'created_at', '02.000', B, up, 'desc')).to.equal(true);
    // updated_at: back the other way from the first row ∓ 1 ms holds that row.
    expect(
      past(
        'search',
        'updated_at',
        '02.859',
        A,
        backwardsThreadCursor('search', 'updated_at', at('02.859'), 'desc'),
        'asc',
      ),
    ).to.equal(true);
    expect(
      past(
        'search',
        'updated_at',
        '02.859',
        A,
        backwardsThreadCursor('search', 'updated_at', at('02.859'), 'asc'),
        'desc',
      ),
    ).to.equal(true);
  });

  it("thread/list reads created_at at the rollout file name's second, every other key to the millisecond, strictly", () => {
    // A cursor at …23.960: the file second 23 lies before it (descending) and not after it (ascending).
    expect(past('fileScan', 'created_at', '23.961', A, '2026-11-21T14:31:23.960Z', 'desc')).to.equal(true);
    expect(past('fileScan', 'created_at', '23.961', A, '2026-11-21T14:31:23.960Z', 'asc')).to.equal(false);
    expect(past('fileScan', 'created_at', '24.000', A, '2026-11-21T14:31:23.960Z', 'asc')).to.equal(true);
    // A whole second without an id: that second is not past it in either direction.
    expect(past('fileScan', 'created_at', '23.500', A, '2026-11-21T14:31:23Z', 'desc')).to.equal(false);
    expect(past('fileScan', 'created_at', '23.500', A, '2026-11-21T14:31:23Z', 'asc')).to.equal(false);
    expect(past('fileScan', 'created_at', '22.999', A, '2026-11-21T14:31:23Z', 'desc')).to.equal(true);
    // With an id: that second's rows by id.
    expect(past('fileScan', 'created_at', '23.900', A, `2026-11-21T14:31:23Z|${B}`, 'desc')).to.equal(true);
    expect(past('fileScan', 'created_at', '23.100', C, `2026-11-21T14:31:23Z|${B}`, 'asc')).to.equal(true);
    // updated_at written in seconds (a time at .000) is still compared to the millisecond.
    expect(past('fileScan', 'updated_at', '23.500', A, `2026-11-21T14:31:23Z|${B}`, 'desc')).to.equal(false);
    expect(past('fileScan', 'updated_at', '23.177', A, '2026-11-21T14:31:23.177Z', 'desc')).to.equal(false);
    expect(past('fileScan', 'updated_at', '23.176', A, '2026-11-21T14:31:23.177Z', 'desc')).to.equal(true);
  });

  it('a walk from cursorWalkStart holds every row pastCursor lets through', () => {
    const cursors = [
      '2026-11-21T14:31:23.960Z',
      '2026-11-21T14:31:23Z',
      `2026-11-21T14:31:23Z|${B}`,
      `2026-11-21T14:31:23.5Z|${B}`,
      '2026-11-21T14:31:23.999Z',
    ];
    for (const method of ['fileScan', 'stateDb', 'search'] as const)
      for (const key of ['created_at', 'updated_at', 'recency_at'] as const)
        for (const direction of ['asc', 'desc'] as const)
          for (const text of cursors) {
            const cursor = cursorOf(text);
            const start = cursorWalkStart(method, key, cursor, direction);
            for (let ms = at('21.900'); ms <= at('25.100'); ms += 7)
              for (const id of [A, B, C]) {
                if (!pastCursor(method, key, { row: { id }, key: ms }, cursor, direction)) continue;
                expect(
                  direction === 'asc' ? ms >= start : ms < start,
                  `${method} ${key} ${direction} ${text} ${ms}`,
                ).to.equal(true);
              }
          }
  });
});

/**
 * Five threads as the compat spec threadOrder.compat writes them (ids in this order, as their
 * UUIDv7s sort): three in second 04 whose times run against their ids, one at its last
 * millisecond, one at the next second's first.
 */
const FIVE = [
  { id: '01a2177a-f8b2-72d1-a79e-e3e33b99e7dd', time: '04.900' },
  { id: '01a2177a-fa0e-7cc2-9217-c2cdf0da489d', time: '04.700' },
  { id: '01a2177a-fa66-7350-8cbb-9ced9877781a', time: '04.500' },
  { id: '01a2177a-fb59-7223-9bb9-548c2c7caf3d', time: '04.999' },
  { id: '01a2177a-fc7e-72e1-a016-f72bc78a05b2', time: '05.000' },
].map((t) => ({ row: { id: t.id }, key: at(t.time) }));
const tail4 = (rows: ReadonlyArray<{ readonly row: { readonly id: string } }>): string[] =>
  rows.map((r) => r.row.id.slice(-4));

/** One page as a walk over FIVE answers it: the rows past the cursor in order, `limit` of them. */
const pageOf = (
  method: ThreadCursorMethod,
  direction: 'asc' | 'desc',
  cursor: string | null,
  limit: number,
): string[] =>
  tail4(
    [...FIVE]
      .filter((r) => cursor === null || pastCursor(method, 'created_at', r, cursorOf(cursor), direction))
      .sort(compareInThreadOrder(method, 'created_at', direction))
      .slice(0, limit),
  );

/** Every page of a walk following its next cursors, `limit` 1 (at most 8 pages: Codex's ascending search loops). */
const walkOf = (method: ThreadCursorMethod, direction: 'asc' | 'desc'): string[] => {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 8; i += 1) {
    const rows = [...FIVE]
      .filter((r) => cursor === null || pastCursor(method, 'created_at', r, cursorOf(cursor), direction))
      .sort(compareInThreadOrder(method, 'created_at', direction));
    const first = rows[0];
    if (first === undefined) break;
    seen.push(first.row.id.slice(-4));
    if (rows.length < 2) break;
    cursor = nextThreadCursor(method, 'created_at', first.key, first.row.id);
  }
  return seen;
};

describe('threads in one second, as Codex 0.169.0 answered them (test/compat/threadOrder.compat.spec.ts)', () => {
  it("thread/list's file scan orders created_at by the file name's second, then by id; its next cursor walks them all", () => {
    expect(walkOf('fileScan', 'desc')).to.deep.equal(['05b2', 'af3d', '781a', '489d', 'e7dd']);
    expect(walkOf('fileScan', 'asc')).to.deep.equal(['e7dd', '489d', '781a', 'af3d', '05b2']);
    // Back from a row at …04.999 (cursor …04.998, no id): the whole second 04 lies before it.
    expect(pageOf('fileScan', 'desc', '2026-11-21T14:31:04.998Z', 3)).to.deep.equal(['af3d', '781a', '489d']);
    expect(pageOf('fileScan', 'asc', '2026-11-21T14:31:04.998Z', 3)).to.deep.equal(['05b2']);
  });

  it('a state-DB thread/list orders and compares to the millisecond, its next cursor in milliseconds', () => {
    expect(walkOf('stateDb', 'desc')).to.deep.equal(['05b2', 'af3d', 'e7dd', '489d', '781a']);
    expect(walkOf('stateDb', 'asc')).to.deep.equal(['781a', '489d', 'e7dd', 'af3d', '05b2']);
    expect(pageOf('stateDb', 'desc', '2026-11-21T14:31:04.999Z', 3)).to.deep.equal(['e7dd', '489d', '781a']);
    expect(pageOf('stateDb', 'desc', '2026-11-21T14:31:04.001Z', 3)).to.deep.equal([]);
  });

  it("thread/search's next cursor holds the second: descending skips the rest of that second, ascending comes back to the same row", () => {
    expect(walkOf('search', 'desc')).to.deep.equal(['05b2', 'af3d']);
    expect(walkOf('search', 'asc')).to.deep.equal(['781a', '781a', '781a', '781a', '781a', '781a', '781a', '781a']);
    expect(pageOf('search', 'asc', '2026-11-21T14:31:03.999Z', 3)).to.deep.equal(['781a', '489d', 'e7dd']);
  });

  it('a row at exactly the second a search cursor names: the cursor id decides (…08Z|489d led on to …08.000)', () => {
    const rows = [
      { row: { id: '01a2177a-f8b2-72d1-a79e-e3e33b99e7dd' }, key: at('08.000') },
      { row: { id: '01a2177a-fb59-7223-9bb9-548c2c7caf3d' }, key: at('07.200') },
    ];
    const cursor = cursorOf('2026-11-21T14:31:08Z|01a2177a-fa0e-7cc2-9217-c2cdf0da489d');
    expect(tail4(rows.filter((r) => pastCursor('search', 'created_at', r, cursor, 'desc')))).to.deep.equal([
      'e7dd',
      'af3d',
    ]);
  });

  it('inThreadOrder turns a walk in millisecond order into the file scan order, a second at a time', async () => {
    for (const direction of ['asc', 'desc'] as const) {
      const walk = [...FIVE].sort(
        (a, b) => (direction === 'asc' ? 1 : -1) * (a.key - b.key || (a.row.id < b.row.id ? -1 : 1)),
      );
      async function* source(): AsyncGenerator<(typeof FIVE)[number]> {
        yield* walk;
      }
      const ordered: string[] = [];
      for await (const r of inThreadOrder('fileScan', 'created_at', direction, source(), (x) => x))
        ordered.push(r.row.id.slice(-4));
      expect(ordered).to.deep.equal(tail4([...FIVE].sort(compareInThreadOrder('fileScan', 'created_at', direction))));
      const same: string[] = [];
      for await (const r of inThreadOrder('stateDb', 'created_at', direction, source(), (x) => x))
        same.push(r.row.id.slice(-4));
      expect(same).to.deep.equal(tail4(walk));
    }
  });
});
