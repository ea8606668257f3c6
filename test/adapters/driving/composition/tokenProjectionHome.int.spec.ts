import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as nodePath from 'node:path';
import { withTokenProjectionCaughtUp } from '../../../../adapters/driving/composition/tokenProjectionHome.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { newThread } from '../../../projections/synth.js';

/**
 * A `tokens` run's catch-up tells the process's garbage bound (adapters/driven/system/garbageBound.ts)
 * each commit's bytes, and that it is done before the report runs: the report's objects never
 * share the heap with the catch-up's garbage.
 */
describe('withTokenProjectionCaughtUp: the garbage bound is told each commit and the end of the catch-up', function () {
  this.timeout(120_000);
  const tmp = useTempDir('token-home-');

  const reportAfter = async (home: string, indexDir: string): Promise<string[]> => {
    const told: string[] = [];
    const garbage = {
      read: (bytes: number) => void told.push(`read ${bytes > 0}`),
      done: () => void told.push('done'),
    };
    const r = await withTokenProjectionCaughtUp(
      home,
      indexDir,
      { garbage },
      (index) => () => (told.push('report'), Promise.resolve(E.right(index.store))),
    );
    expect(E.isRight(r)).to.equal(true);
    return told;
  };

  it('fresh: a commit of new lines read, then done, then the report; warm: only done, then the report', async () => {
    const home = nodePath.join(tmp(), 'home');
    await writeSynthThread(home, newThread(91), 4);
    await writeSynthThread(home, newThread(92), 2);
    const indexDir = nodePath.join(tmp(), 'index');
    expect(await reportAfter(home, indexDir)).to.deep.equal(['read true', 'done', 'report']);
    expect(await reportAfter(home, indexDir)).to.deep.equal(['done', 'report']);
  });

  it('a catch-up that fails tells nothing and runs no report', async () => {
    const home = nodePath.join(tmp(), 'not-there');
    const told: string[] = [];
    const garbage = { read: () => void told.push('read'), done: () => void told.push('done') };
    const r = await withTokenProjectionCaughtUp(home, nodePath.join(tmp(), 'index2'), { garbage }, () =>
      TE.right(told.push('report')),
    );
    expect(E.isLeft(r)).to.equal(true);
    expect(told).to.deep.equal([]);
  });
});
