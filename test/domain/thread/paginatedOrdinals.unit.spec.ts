import { expect } from 'chai';
import { codexProjectsLine, codexSkipsForTime, nextOrdinalAfter } from '../../../domain/thread/paginatedOrdinals.js';
import type { RolloutEvent } from '../../../domain/rollout/event.js';

/** The lines a projection expecting `start` first reads, of lines numbered `ordinals` (null: none; `false`: Codex cannot decode it). */
const projected = (start: number, ordinals: ReadonlyArray<number | null | false>): number[] => {
  let next = start;
  const out: number[] = [];
  ordinals.forEach((o, i) => {
    const ordinal = o === false ? null : o;
    if (o !== false && codexProjectsLine(next, ordinal)) out.push(i);
    next = nextOrdinalAfter(next, ordinal, o !== false);
  });
  return out;
};

describe("Codex's paginated history projection: which lines it reads", () => {
  it('reads every line of a file numbered densely from its start', () => {
    expect(projected(0, [0, 1, 2, 3])).to.deep.equal([0, 1, 2, 3]);
    expect(projected(7, [7, 8, 9])).to.deep.equal([0, 1, 2]);
  });
  it('skips a line without an ordinal, the next expected unchanged', () => {
    expect(projected(0, [null, null, null])).to.deep.equal([]);
    expect(projected(0, [0, null, 2, null, 4])).to.deep.equal([0, 2, 4]);
    expect(projected(0, [null, 1, 2])).to.deep.equal([1, 2]);
  });
  it('skips a repeated or regressed ordinal, and passes a forward gap over', () => {
    expect(projected(0, [0, 1, 1, 2])).to.deep.equal([0, 1, 3]);
    expect(projected(0, [100, 101, 0, 1, 102])).to.deep.equal([0, 1, 4]);
    expect(projected(0, [5, 6, 20, 21])).to.deep.equal([0, 1, 2, 3]);
    expect(projected(10, [3, 10])).to.deep.equal([1]);
  });
  it('a line Codex cannot decode moves nothing, its ordinal free for the next', () => {
    expect(projected(0, [0, false, 1, 2])).to.deep.equal([0, 2, 3]);
  });
  it('skips an item without a start time whose line time is no RFC 3339 time; any other line is read whatever its time', () => {
    const completed = (started?: number | null): RolloutEvent =>
      ({
        kind: 'itemCompleted',
        payload: { type: 'item_completed', turn_id: 't', ...(started === undefined ? {} : { started_at_ms: started }) },
        item: null,
      }) as unknown as RolloutEvent;
    const started = { kind: 'taskStarted', payload: { type: 'task_started', turn_id: 't' } } as unknown as RolloutEvent;
    for (const bad of ['not a time', '', '2026-11-22T09:00:00', '2026-11-22T24:00:00Z', '2026-11-22T09:00:00+24:00']) {
      expect(codexSkipsForTime(completed(), bad), bad).to.equal(true);
      expect(codexSkipsForTime(completed(null), bad), bad).to.equal(true);
      expect(codexSkipsForTime(completed(1), bad), bad).to.equal(false);
      expect(codexSkipsForTime(started, bad), bad).to.equal(false);
    }
    for (const good of ['2026-11-22T09:00:00Z', '2026-11-22 09:00:60z', '2026-11-22T09:00:00.5-23:59'])
      expect(codexSkipsForTime(completed(), good), good).to.equal(false);
  });
});
