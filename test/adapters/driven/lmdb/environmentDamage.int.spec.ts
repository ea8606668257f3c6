// The damaged-index check (adapters/driven/lmdb/indexFolder.ts damageOf) against another process's
// commits: the check reads data.mdb's meta pages, its size and the databases' root pages in
// separate reads, and a writer may commit between any two. Each case scripts where the commit
// lands: the file the check reads is switched from one real LMDB snapshot to a later one at that
// read. (Before: the size was taken first, so a commit right after it made a whole index "cut
// short"; a compat run's `read` beside a writer was refused as Corrupt.)
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { open } from 'lmdb';
import { CHECK_PASSES, damageOf, type EnvironmentFile } from '../../../../adapters/driven/lmdb/indexFolder.js';
import { currentMetaOf, NO_PAGE } from '../../../fixtures/lmdbMetaPage.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

/** data.mdb after `rounds` more commits of 200 rows each (the environment grows at each). */
const snapshots = (dir: string, rounds: number): Buffer[] => {
  const shots: Buffer[] = [];
  for (let r = 0; r < rounds; r++) {
    const env = open({ path: dir, maxDbs: 4 });
    const db = env.openDB({ name: 'rows' });
    env.transactionSync(() => {
      for (let i = 0; i < 200; i++) db.putSync(`r${r}-${String(i).padStart(4, '0')}`, 'x'.repeat(200 + r * 50));
    });
    void env.close();
    shots.push(fs.readFileSync(nodePath.join(dir, 'data.mdb')));
  }
  return shots;
};

/**
 * A data.mdb whose bytes change to `later` at a scripted moment: `at` names the read after which
 * the commit lands ('size': the stat; a number n: the n-th read of bytes, counting from 1).
 */
const committingAt = (
  earlier: Buffer,
  later: Buffer,
  at: 'size' | number,
): EnvironmentFile & { readonly switched: () => boolean } => {
  let now = earlier;
  let reads = 0;
  const land = (): void => void (now = later);
  return {
    read: (into, position) => {
      const n = Math.max(0, Math.min(into.length, now.length - position));
      now.copy(into, 0, position, position + n);
      if (++reads === at) land();
      return n;
    },
    size: () => {
      const size = now.length;
      if (at === 'size') land();
      return size;
    },
    switched: () => now === later,
  };
};

const still = (bytes: Buffer): EnvironmentFile => committingAt(bytes, bytes, 'size');

describe('lmdb · the damaged-index check beside a committing writer', () => {
  const tmp = useTempDir('env-damage-');
  let shots: Buffer[];

  before(() => {
    shots = snapshots(tmp(), 4);
    // The snapshots are what the cases need: each later one longer than the one before.
    for (let i = 1; i < shots.length; i++) expect(shots[i]!.length, `snapshot ${i}`).to.be.above(shots[i - 1]!.length);
  });

  it('a still, whole environment passes; cut short or with a root page overwritten, it is damage', () => {
    const last = shots[shots.length - 1]!;
    expect(damageOf(still(last))).to.equal(undefined);
    expect(damageOf(still(last.subarray(0, last.length - 4096)))).to.match(/cut short/);
    const { pageSize, roots } = currentMetaOf(last);
    const overwritten = Buffer.from(last);
    overwritten.fill(0xab, Number(roots[1]) * pageSize, Number(roots[1]) * pageSize + 64);
    expect(damageOf(still(overwritten))).to.match(/root page \d+ is damaged/);
  });

  it('a commit right after the size is taken (meta pages read first) is not damage', () => {
    const file = committingAt(shots[0]!, shots[shots.length - 1]!, 'size');
    expect(damageOf(file)).to.equal(undefined);
    expect(file.switched()).to.equal(true);
  });

  it('a commit right after the meta pages are read (before the size and the root pages) is not damage', () => {
    const file = committingAt(shots[0]!, shots[shots.length - 1]!, 1);
    expect(damageOf(file)).to.equal(undefined);
    expect(file.switched()).to.equal(true);
  });

  it('root pages read after commits that reused them: the pass that saw the file change is made again, and passes', () => {
    // The later snapshot with the earlier one's root pages overwritten, as commits that freed and
    // reused them (as overflow pages, whose middle pages carry no header) leave them.
    const earlier = shots[0]!;
    const later = Buffer.from(shots[shots.length - 1]!);
    const { pageSize, roots } = currentMetaOf(earlier);
    const laterRoots = currentMetaOf(later).roots;
    const reused = roots.filter((root) => root !== NO_PAGE && !laterRoots.includes(root));
    expect(reused, "the earlier transaction's root pages that the later one no longer uses").to.have.length.above(0);
    for (const root of reused) later.fill(0xcd, Number(root) * pageSize, Number(root) * pageSize + 24);
    // Read still, the earlier transaction's view of this file is damage: the retry is what passes it.
    expect(damageOf(still(Buffer.concat([earlier.subarray(0, 2 * pageSize), later.subarray(2 * pageSize)])))).to.match(
      /root page \d+ is damaged/,
    );
    expect(damageOf(committingAt(earlier, later, 1))).to.equal(undefined);
  });

  it(`a file that changes at every look (a writer committing throughout) is taken as live after ${CHECK_PASSES} passes, not refused`, () => {
    let looks = 0;
    const [a, b] = [shots[0]!, shots[1]!];
    // Every meta read sees the other transaction; the size is always one page short of either.
    const file: EnvironmentFile = {
      read: (into, position) => {
        const now = position === 0 ? (looks++ % 2 === 0 ? a : b) : b;
        const n = Math.max(0, Math.min(into.length, now.length - position));
        now.copy(into, 0, position, position + n);
        return n;
      },
      size: () => 4096,
    };
    expect(damageOf(file)).to.equal(undefined);
    expect(looks).to.equal(2 * CHECK_PASSES);
  });
});
