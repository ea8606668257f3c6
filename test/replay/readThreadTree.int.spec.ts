import { expect } from 'chai';
import { readThreadTree } from '../../replay/history/readThreadTree.js';
import type { ThreadTreeNode } from '../../replay/history/readThreadTree.js';
import { useTempDir } from '../fixtures/tempDir.js';
import type { MutationHome } from './mutationHome.js';
import { chatThread, left, openMutationHome, right, rolloutName, threadFamily, writeRollout } from './mutationHome.js';

const P = 'dddddddd-0000-7000-8000-000000000001';
const OTHER = 'dddddddd-0000-7000-8000-000000000002';

/** The tree as `id relation` lines, indented by depth. */
const drawn = (n: ThreadTreeNode, depth = 0): string[] => [
  `${'  '.repeat(depth)}${n.id} ${n.relation}`,
  ...n.children.flatMap((c) => drawn(c, depth + 1)),
];

describe('rolloutEngine/thread/tree: a thread family from the index (forks, forks of forks, detached reviews)', function () {
  this.timeout(120_000);
  const dir = useTempDir('re-thread-tree-');
  let m: MutationHome;

  before(async () => {
    writeRollout(dir(), rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(dir(), rolloutName(OTHER), chatThread('paginated', OTHER, 1).text());
    m = await openMutationHome(dir());
  });
  after(async () => m.close());

  it('from any member: the oldest ancestor, then its forks and reviews below it, oldest first; a thread alone is its own root; an unknown id is NotFound', async () => {
    const { fork, forkOfFork, review } = await threadFamily(m, P, P);
    const expected = [`${P} root`, `  ${fork} fork`, `    ${forkOfFork} fork`, `  ${review} review`];
    for (const from of [P, fork, forkOfFork, review]) {
      const tree = await right(readThreadTree(m.ports, { threadId: from }));
      expect(tree.threadId).to.equal(from);
      expect(drawn(tree.root), `from ${from}`).to.deep.equal(expected);
    }
    expect(drawn((await right(readThreadTree(m.ports, { threadId: OTHER }))).root)).to.deep.equal([`${OTHER} root`]);
    expect(await left(readThreadTree(m.ports, { threadId: 'dddddddd-0000-7000-8000-00000000dead' }))).to.deep.include({
      _tag: 'NotFound',
      what: 'thread',
    });
  });
});
