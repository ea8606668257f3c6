import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { ThreadCursorMethod, ThreadListCursor, ThreadSortKey } from '../../replay/internal/threadListCursor.js';
import { backwardsThreadCursor, cursorWalkStart, nextThreadCursor, parseThreadListCursor, pastCursor } from '../../replay/internal/threadListCursor.js';

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
const past = (method: ThreadCursorMethod, key: ThreadSortKey, time: string, id: string, cursor: string, direction: 'asc' | 'desc'): boolean =>
  pastCursor(method, key, { row: { id }, key: at(time) }, cursorOf(cursor), direction);

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
    expect(backwardsThreadCursor('list', 'created_at', at('18.015'), 'desc')).to.equal('2026-11-21T14:31:18.014Z');
    expect(backwardsThreadCursor('list', 'created_at', at('18.015'), 'asc')).to.equal('2026-11-21T14:31:18.016Z');
    expect(backwardsThreadCursor('list', 'updated_at', at('18.257'), 'desc')).to.equal('2026-11-21T14:31:18.256Z');
    expect(backwardsThreadCursor('list', 'recency_at', at('18.215'), 'asc')).to.equal('2026-11-21T14:31:18.216Z');
  });

  it('next cursors stay as Codex writes them: created_at in seconds, the others in milliseconds with trailing zeros cut', () => {
    expect(nextThreadCursor('created_at', at('02.859'), A)).to.equal(`2026-11-21T14:31:02Z|${A}`);
    expect(nextThreadCursor('updated_at', at('02.850'), A)).to.equal(`2026-11-21T14:31:02.85Z|${A}`);
    expect(nextThreadCursor('recency_at', at('02.000'), A)).to.equal(`2026-11-21T14:31:02Z|${A}`);
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
    expect(past('search', 'updated_at', '02.859', A, backwardsThreadCursor('search', 'updated_at', at('02.859'), 'desc'), 'asc')).to.equal(true);
    expect(past('search', 'updated_at', '02.859', A, backwardsThreadCursor('search', 'updated_at', at('02.859'), 'asc'), 'desc')).to.equal(true);
  });

  it("thread/list reads created_at at the rollout file name's second, every other key to the millisecond, strictly", () => {
    // A cursor at …23.960: the file second 23 lies before it (descending) and not after it (ascending).
    expect(past('list', 'created_at', '23.961', A, '2026-11-21T14:31:23.960Z', 'desc')).to.equal(true);
    expect(past('list', 'created_at', '23.961', A, '2026-11-21T14:31:23.960Z', 'asc')).to.equal(false);
    expect(past('list', 'created_at', '24.000', A, '2026-11-21T14:31:23.960Z', 'asc')).to.equal(true);
    // A whole second without an id: that second is not past it in either direction.
    expect(past('list', 'created_at', '23.500', A, '2026-11-21T14:31:23Z', 'desc')).to.equal(false);
    expect(past('list', 'created_at', '23.500', A, '2026-11-21T14:31:23Z', 'asc')).to.equal(false);
    expect(past('list', 'created_at', '22.999', A, '2026-11-21T14:31:23Z', 'desc')).to.equal(true);
    // With an id: that second's rows by id.
    expect(past('list', 'created_at', '23.900', A, `2026-11-21T14:31:23Z|${B}`, 'desc')).to.equal(true);
    expect(past('list', 'created_at', '23.100', C, `2026-11-21T14:31:23Z|${B}`, 'asc')).to.equal(true);
    // updated_at written in seconds (a time at .000) is still compared to the millisecond.
    expect(past('list', 'updated_at', '23.500', A, `2026-11-21T14:31:23Z|${B}`, 'desc')).to.equal(false);
    expect(past('list', 'updated_at', '23.177', A, '2026-11-21T14:31:23.177Z', 'desc')).to.equal(false);
    expect(past('list', 'updated_at', '23.176', A, '2026-11-21T14:31:23.177Z', 'desc')).to.equal(true);
  });

  it('a walk from cursorWalkStart holds every row pastCursor lets through', () => {
    const cursors = ['2026-11-21T14:31:23.960Z', '2026-11-21T14:31:23Z', `2026-11-21T14:31:23Z|${B}`, `2026-11-21T14:31:23.5Z|${B}`, '2026-11-21T14:31:23.999Z'];
    for (const method of ['list', 'search'] as const)
      for (const key of ['created_at', 'updated_at', 'recency_at'] as const)
        for (const direction of ['asc', 'desc'] as const)
          for (const text of cursors) {
            const cursor = cursorOf(text);
            const start = cursorWalkStart(method, key, cursor, direction);
            for (let ms = at('21.900'); ms <= at('25.100'); ms += 7)
              for (const id of [A, B, C]) {
                if (!pastCursor(method, key, { row: { id }, key: ms }, cursor, direction)) continue;
                expect(direction === 'asc' ? ms >= start : ms < start, `${method} ${key} ${direction} ${text} ${ms}`).to.equal(true);
              }
          }
  });
});
