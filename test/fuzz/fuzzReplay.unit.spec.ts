// `npm run fuzz -- --replay <seed:path>` checks the one home its path names: fast-check walks on
// through the path's later shrink candidates, which a replay takes as passing without asking Codex.
import { expect } from 'chai';
import fc from 'fast-check';
import { FuzzSession } from './fuzzSession.js';

class CountingSession extends FuzzSession {
  calls = 0;
  override check(): Promise<boolean> {
    this.calls += 1;
    return Promise.resolve(true);
  }
}

const replayed = async (replay: boolean): Promise<number> => {
  const session = new CountingSession();
  await fc.check(session.property(replay), {
    seed: 1882756264,
    path: '1012:0:1:2',
    numRuns: 1,
    endOnFailure: false,
  });
  return session.calls;
};

describe('fuzz replay: the home its path names, and no other', () => {
  it('checks one home where fast-check walks 380 (so the bound can fail)', async () => {
    expect(await replayed(true)).to.equal(1);
    expect(await replayed(false)).to.be.greaterThan(1);
  });
});
