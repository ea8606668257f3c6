// The watch `serve` keeps of a home's rollout folders: what a thread/list catches up instead of
// probing every rollout, and when it cannot vouch for the home (then the whole home is caught up).
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { watchHome } from '../../../adapters/jsonl/homeWatch.js';
import type { HomeWatch } from '../../../adapters/jsonl/homeWatch.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const NAME = 'rollout-2026-11-21T14-00-00-01a1fe84-bdb0-7260-b7c8-794e23279a06.jsonl';
const OTHER = 'rollout-2026-11-23T09-00-00-01a1fe84-bdb0-7260-b7c8-794e23279a07.jsonl';

/** Events reach the watch through the event loop: let them in before looking. */
const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

describe('homeWatch: the rollout files that changed since the last look', function () {
  this.timeout(20_000);
  const tmp = useTempDir('home-watch-');
  let home: string;
  let watch: HomeWatch;
  let day: string;

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    day = nodePath.join(home, 'sessions', '2026', '11', '21');
    await fs.mkdir(day, { recursive: true });
    await fs.writeFile(nodePath.join(day, NAME), '{}\n');
    watch = watchHome(home);
  });
  after(() => watch.close());

  it('cannot vouch for the home at first, then has nothing new', async () => {
    expect(watch.take()).to.equal('unknown');
    expect(watch.take()).to.deep.equal([]);
  });

  it('takes an appended file, once', async () => {
    await fs.appendFile(nodePath.join(day, NAME), '{}\n');
    await settled();
    expect(watch.take()).to.deep.equal([nodePath.join(day, NAME)]);
    expect(watch.take()).to.deep.equal([]);
  });

  it('takes a file created in a new day folder (and watches that folder from then on)', async () => {
    const newDay = nodePath.join(home, 'sessions', '2026', '11', '23');
    await fs.mkdir(newDay, { recursive: true });
    await fs.writeFile(nodePath.join(newDay, OTHER), '{}\n');
    await settled();
    expect(watch.take()).to.deep.equal([nodePath.join(newDay, OTHER)]);
    await fs.appendFile(nodePath.join(newDay, OTHER), '{}\n');
    await settled();
    expect(watch.take()).to.deep.equal([nodePath.join(newDay, OTHER)]);
  });

  it('takes a deleted file and a file moved to archived_sessions (the folder appearing: the home as a whole)', async () => {
    await fs.rm(nodePath.join(day, NAME));
    await settled();
    expect(watch.take()).to.deep.equal([nodePath.join(day, NAME)]);
    const archived = nodePath.join(home, 'archived_sessions');
    await fs.mkdir(archived);
    await settled();
    expect(watch.take()).to.equal('unknown');
    const from = nodePath.join(home, 'sessions', '2026', '11', '23', OTHER);
    await fs.rename(from, nodePath.join(archived, OTHER));
    await settled();
    expect([...(watch.take() as string[])].sort()).to.deep.equal([nodePath.join(archived, OTHER), from].sort());
  });

  it('cannot vouch for the home when thread names change, or after a catch-up of what it took failed', async () => {
    await fs.writeFile(nodePath.join(home, 'session_index.jsonl'), '{}\n');
    await settled();
    expect(watch.take()).to.equal('unknown');
    expect(watch.take()).to.deep.equal([]);
    watch.lost();
    expect(watch.take()).to.equal('unknown');
  });

  it('a whole-home catch-up started at a mark vouches for the home, unless the watch lost track since', async () => {
    watch.lost();
    const mark = watch.mark();
    watch.vouch(mark);
    expect(watch.take()).to.deep.equal([]);
    const stale = watch.mark();
    watch.lost();
    watch.vouch(stale);
    expect(watch.take()).to.equal('unknown');
  });
});
