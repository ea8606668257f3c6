// Issue 68, finding 3: each creating path of adapters/driven/fs/ run as root in a folder owned by another
// uid: what it creates (folders, files, temp files renamed into place, locks, appends that
// create) takes that folder's owner, set on its handle (adapters/driven/fs/ownership.ts).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';
import { mkdirNoFollow, openNoFollow } from '../../../../adapters/driven/fs/noFollow.js';
import { createNoFollow, holdFolder } from '../../../../adapters/driven/fs/heldFolder.js';
import { writeFileAtomic } from '../../../../adapters/driven/fs/writeFileAtomic.js';
import { appendNoFollow } from '../../../../adapters/driven/fs/appendNoFollow.js';
import { acquireLock, releaseLock } from '../../../../adapters/driven/fs/lockFile.js';
import { ownTree } from '../../../../adapters/driven/fs/ownership.js';

/** The folder's owner: not root, and a gid of its own (uid and gid are both taken from the folder). */
const OWNER = { uid: 23457, gid: 23458 };

/** Every path below `root` (itself excluded) and its owner, as `path uid:gid`. */
const owners = (root: string): string[] => {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const path = nodePath.join(dir, name);
      const st = fs.lstatSync(path);
      out.push(`${nodePath.relative(root, path)} ${st.uid}:${st.gid}`);
      if (st.isDirectory()) visit(path);
    }
  };
  visit(root);
  return out;
};

describe('adapters/driven/fs: what the engine creates as root takes the owner of the folder it is created in', function () {
  const tmp = useTempDir('rollout-engine-ownership-');
  let home: string;

  before(function () {
    skipUnmet(this, process.getuid?.() === 0, 'root', 'only root creates files another user then owns');
  });

  beforeEach(() => {
    home = fs.mkdtempSync(nodePath.join(tmp(), 'home-'));
    fs.chownSync(home, OWNER.uid, OWNER.gid);
  });

  it('mkdirNoFollow, holdFolder (create), createNoFollow, openNoFollow, appendNoFollow, writeFileAtomic and a lock: every entry the owner’s', async () => {
    await mkdirNoFollow(home, nodePath.join(home, '.rollout-engine', 'deep'), 0o700);
    const held = await holdFolder(home, nodePath.join(home, 'sessions', '2026', '11', '27'), {
      create: true,
      mode: 0o700,
    });
    await held.close();
    await createNoFollow(home, nodePath.join(home, 'sessions', '2026', '11', '27', 'made.jsonl'), 'x\n', 0o600);
    await (
      await openNoFollow(home, nodePath.join(home, '.rollout-engine', 'opened.jsonl'), 'create-exclusive', 0o600)
    ).close();
    await appendNoFollow(home, nodePath.join(home, 'session_index.jsonl'), 'line\n', 0o644);
    await writeFileAtomic(nodePath.join(home, '.rollout-engine', 'replaced.json'), '{}', { mode: 0o600, root: home });
    const lock = await acquireLock(nodePath.join(home, '.rollout-engine', 'held.lock'));
    const whileHeld = owners(home).filter((l) => l.startsWith('.rollout-engine/held.lock'));
    await releaseLock(lock);
    const mine = `${OWNER.uid}:${OWNER.gid}`;
    const all = [...owners(home), ...whileHeld];
    expect(all.filter((l) => !l.endsWith(` ${mine}`))).to.deep.equal([]);
    expect(all.map((l) => l.split(' ')[0])).to.deep.equal([
      '.rollout-engine',
      '.rollout-engine/deep',
      '.rollout-engine/opened.jsonl',
      '.rollout-engine/replaced.json',
      'session_index.jsonl',
      'sessions',
      'sessions/2026',
      'sessions/2026/11',
      'sessions/2026/11/27',
      'sessions/2026/11/27/made.jsonl',
      '.rollout-engine/held.lock',
    ]);
  });

  it('a root made as `mkdir -p` (the first missing folder up) and a copied tree take the owner of the folder they were made in; a link in the tree is changed itself, never what it leads to', async () => {
    const outside = nodePath.join(tmp(), 'outside-target');
    fs.writeFileSync(outside, 'root’s\n');
    await mkdirNoFollow(nodePath.join(home, 'a', 'b'), nodePath.join(home, 'a', 'b', 'c'), 0o700);
    const tree = nodePath.join(home, 'a', 'tree');
    fs.mkdirSync(nodePath.join(tree, 'sub'), { recursive: true });
    fs.writeFileSync(nodePath.join(tree, 'sub', 'file'), 'x');
    fs.symlinkSync(outside, nodePath.join(tree, 'link'));
    await ownTree(tree, nodePath.join(home, 'a'));
    const mine = `${OWNER.uid}:${OWNER.gid}`;
    expect(owners(home).filter((l) => !l.endsWith(` ${mine}`))).to.deep.equal([]);
    expect(fs.statSync(outside).uid).to.equal(0);
  });
});
