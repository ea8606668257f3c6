import { expect } from 'chai';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { newThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import type { Progress } from '../../indexer/catchUp/catchUp.js';
import { ioError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';

/**
 * A catch-up tells its end whichever way it ends (indexer/catchUp/catchUpOptions.ts
 * `tellingStopped`): `done`, or `stopped` short of it. What bounds a process's heap by a catch-up's
 * progress (adapters/driving/cli/catchUpHeap.ts) put it back only at `done`, so a failed catch-up
 * in `serve` (a commit refused by a full disk) left the heap bounded for the server's life.
 */
describe('a catch-up that fails tells it stopped (its progress ends)', function () {
  this.timeout(60_000);
  const root = useTempDir('stopped-');
  let made = 0;

  /** The stages a catch-up of a fresh home of three threads told, and how it ended, over `wrap` of a fresh store. */
  const told = async (
    wrap: (store: IndexStore) => IndexStore,
  ): Promise<{ stages: Progress['stage'][]; ended: 'right' | 'left' | 'threw' }> => {
    made += 1;
    const home = nodePath.join(root(), `home-${made}`);
    const dir = nodePath.join(root(), `index-${made}`);
    for (let i = 0; i < 3; i++) await writeSynthThread(home, newThread(7100 + i, 'paginated'), 2);
    const store = right(await openLmdbIndex(dir)());
    const stages: Progress['stage'][] = [];
    try {
      const r = await catchUpHome(wrap(store), home, { onProgress: (p) => stages.push(p.stage) })();
      return { stages, ended: E.isRight(r) ? 'right' : 'left' };
    } catch {
      return { stages, ended: 'threw' };
    } finally {
      await store.close()();
    }
  };

  it('a commit refused: Left, and its last stage is stopped (none done)', async () => {
    const full = ioError('data.mdb', 'commit', 'ENOSPC', 'no space left on device');
    const { stages, ended } = await told((store) => ({ ...store, commit: () => TE.left(full) }));
    expect(ended).to.equal('left');
    expect(stages[0]).to.equal('probing');
    expect(stages.at(-1)).to.equal('stopped');
    expect(stages.filter((s) => s === 'stopped' || s === 'done')).to.deep.equal(['stopped']);
  });

  it('a commit that throws (a bug): stopped told before the throw leaves', async () => {
    const { stages, ended } = await told((store) => ({
      ...store,
      commit: () => () => Promise.reject(new Error('a bug in a commit')),
    }));
    expect(ended).to.equal('threw');
    expect(stages.at(-1)).to.equal('stopped');
  });

  it('a catch-up that ends well tells done, never stopped', async () => {
    const { stages, ended } = await told((store) => store);
    expect(ended).to.equal('right');
    expect(stages.at(-1)).to.equal('done');
    expect(stages).to.not.include('stopped');
  });
});
