import { expect } from 'chai';
import { codexProjectsLine, nextOrdinalAfter } from '../../../domain/thread/paginatedOrdinals.js';

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
});
