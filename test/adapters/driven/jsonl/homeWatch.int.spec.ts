// The watch `serve` keeps of a home's rollout folders: what a thread/list catches up instead of
// probing every rollout, and when it cannot vouch for the home (then the whole home is caught up).
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { SAFETY_NET_MS, watchHome } from '../../../../adapters/driven/jsonl/home/homeWatch.js';
import type { HomeWatch } from '../../../../adapters/driven/jsonl/home/homeWatch.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const NAME = 'rollout-2026-11-21T14-00-00-01a1fe84-bdb0-7260-b7c8-794e23279a06.jsonl';
const OTHER = 'rollout-2026-11-23T09-00-00-01a1fe84-bdb0-7260-b7c8-794e23279a07.jsonl';
/** A rollout of its own day folder, appended to as the barrier of the watch's events (left out of every take). */
const SENTINEL = 'rollout-2026-01-01T00-00-00-01a1fe84-bdb0-7260-b7c8-794e23279a00.jsonl';

describe('homeWatch: the rollout files that changed since the last look', function () {
  this.timeout(120_000);
  const tmp = useTempDir('home-watch-');
  let home: string;
  let watch: HomeWatch;
  let day: string;
  let sentinel: string;
  /** The safety net's clock: stepped by the test, so whether a take looks at the folders is never a matter of time. */
  let clock = 0;
  const toldSentinel: Array<() => void> = [];

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    day = nodePath.join(home, 'sessions', '2026', '11', '21');
    await fs.mkdir(day, { recursive: true });
    await fs.writeFile(nodePath.join(day, NAME), '{}\n');
    sentinel = nodePath.join(home, 'sessions', '2026', '01', '01', SENTINEL);
    await fs.mkdir(nodePath.dirname(sentinel), { recursive: true });
    await fs.writeFile(sentinel, '{}\n');
    watch = watchHome(
      home,
      (path) => {
        if (path === sentinel) for (const told of toldSentinel.splice(0)) told();
      },
      { now: () => clock },
    );
  });
  after(() => watch.close());

  /** What a take gives, the sentinel left out. */
  const taken = (): ReadonlyArray<string> | 'unknown' => {
    const t = watch.take();
    return t === 'unknown' ? t : t.filter((p) => p !== sentinel);
  };
  /**
   * A look after the changes made so far: every event they caused has reached the watch (inotify
   * keeps one queue, in the order things happened, and Node hands its events over in that order:
   * once an append to the sentinel, made after them, is told, they all have been), and the safety
   * net is due (its clock stepped past its pace). No quiet period.
   */
  const look = async (): Promise<ReadonlyArray<string> | 'unknown'> => {
    const told = new Promise<void>((resolve) => toldSentinel.push(resolve));
    await fs.appendFile(sentinel, '{}\n');
    await told;
    clock += SAFETY_NET_MS;
    return taken();
  };

  it('cannot vouch for the home at first, then has nothing new', async () => {
    expect(taken()).to.equal('unknown');
    expect(taken()).to.deep.equal([]);
    expect(watch.takeNames()).to.equal(true);
    expect(watch.takeNames()).to.equal(false);
  });

  it('takes an appended file, once', async () => {
    await fs.appendFile(nodePath.join(day, NAME), '{}\n');
    expect(await look()).to.deep.equal([nodePath.join(day, NAME)]);
    expect(taken()).to.deep.equal([]);
  });

  it('takes a file created in a new day folder (and watches that folder from then on)', async () => {
    const newDay = nodePath.join(home, 'sessions', '2026', '11', '23');
    await fs.mkdir(newDay, { recursive: true });
    await fs.writeFile(nodePath.join(newDay, OTHER), '{}\n');
    expect(await look()).to.deep.equal([nodePath.join(newDay, OTHER)]);
    await fs.appendFile(nodePath.join(newDay, OTHER), '{}\n');
    expect(await look()).to.deep.equal([nodePath.join(newDay, OTHER)]);
  });

  it('takes a deleted file and a file moved to archived_sessions (the folder appearing: the home as a whole)', async () => {
    await fs.rm(nodePath.join(day, NAME));
    expect(await look()).to.deep.equal([nodePath.join(day, NAME)]);
    const archived = nodePath.join(home, 'archived_sessions');
    await fs.mkdir(archived);
    expect(await look()).to.equal('unknown');
    const from = nodePath.join(home, 'sessions', '2026', '11', '23', OTHER);
    await fs.rename(from, nodePath.join(archived, OTHER));
    expect([...((await look()) as string[])].sort()).to.deep.equal([nodePath.join(archived, OTHER), from].sort());
  });

  it('tells a change of thread names apart: the home is still vouched for, the names are taken once', async () => {
    watch.takeNames();
    expect(watch.takeNames()).to.equal(false);
    await fs.writeFile(nodePath.join(home, 'session_index.jsonl'), '{}\n');
    expect(await look()).to.deep.equal([]);
    expect(watch.takeNames()).to.equal(true);
    expect(watch.takeNames()).to.equal(false);
    await fs.appendFile(nodePath.join(home, 'session_index.jsonl'), '{}\n');
    expect(await look()).to.deep.equal([]);
    expect(watch.takeNames()).to.equal(true);
  });

  it('cannot vouch for the home after a catch-up of what it took failed', async () => {
    watch.lost();
    expect(taken()).to.equal('unknown');
  });

  it('a whole-home catch-up started at a mark vouches for the home, unless the watch lost track since', async () => {
    watch.lost();
    const mark = watch.mark();
    watch.vouch(mark);
    expect(taken()).to.deep.equal([]);
    const stale = watch.mark();
    watch.lost();
    watch.vouch(stale);
    expect(taken()).to.equal('unknown');
  });

  it('and for the names it read, unless they changed since the mark', async () => {
    await fs.appendFile(nodePath.join(home, 'session_index.jsonl'), '{}\n');
    await look();
    watch.vouch(watch.mark());
    expect(watch.takeNames()).to.equal(false);
    const stale = watch.mark();
    await fs.appendFile(nodePath.join(home, 'session_index.jsonl'), '{}\n');
    await look();
    watch.vouch(stale);
    expect(watch.takeNames()).to.equal(true);
  });
});
