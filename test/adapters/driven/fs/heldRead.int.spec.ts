import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  checkReachedSync,
  folderBelowSync,
  kindBelowSync,
  listFolderSync,
  openToRead,
  openToReadSync,
  readBytesBelow,
  readTextBelowSync,
  readTextNoFollow,
} from '../../../../adapters/driven/fs/heldRead.js';
import { LinkRefused } from '../../../../adapters/driven/fs/fsError.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { rejection, thrown } from '../../../fixtures/thrown.js';

describe('heldRead: reading below a root someone else may fill, no link followed, no FIFO waited on', () => {
  const tmp = useTempDir('held-read-');

  /** A root holding `a/b/file.txt`, a folder outside it holding `secret.txt`, and the links and FIFO the cases plant. */
  let cases = 0;
  const layout = (): { root: string; outside: string } => {
    const base = nodePath.join(tmp(), `case-${(cases += 1)}`);
    const root = nodePath.join(base, 'root');
    const outside = nodePath.join(base, 'outside');
    fs.mkdirSync(nodePath.join(root, 'a', 'b'), { recursive: true });
    fs.writeFileSync(nodePath.join(root, 'a', 'b', 'file.txt'), 'inside');
    fs.mkdirSync(outside);
    fs.writeFileSync(nodePath.join(outside, 'secret.txt'), 'outside');
    fs.symlinkSync(outside, nodePath.join(root, 'a', 'linked'));
    fs.symlinkSync(nodePath.join(outside, 'secret.txt'), nodePath.join(root, 'a', 'b', 'linked.txt'));
    execFileSync('mkfifo', [nodePath.join(root, 'a', 'b', 'fifo')]);
    return { root, outside };
  };

  it('reads and lists below the root, sync and async', async () => {
    const { root } = layout();
    const file = nodePath.join(root, 'a', 'b', 'file.txt');
    expect(readTextBelowSync(root, file)).to.equal('inside');
    expect(await readTextNoFollow(root, file)).to.equal('inside');
    expect((await readBytesBelow(root, file)).toString()).to.equal('inside');
    expect(
      listFolderSync(root, nodePath.join(root, 'a', 'b'))
        .map((e) => e.name)
        .sort(),
    ).to.deep.equal(['fifo', 'file.txt', 'linked.txt']);
    expect(kindBelowSync(root, file)).to.equal('file');
    expect(kindBelowSync(root, nodePath.join(root, 'a', 'b'))).to.equal('dir');
    expect(folderBelowSync(root, nodePath.join(root, 'a', 'b'))).to.equal(true);
    expect(folderBelowSync(root, nodePath.join(root, 'missing'))).to.equal(false);
    expect(folderBelowSync(root, file), 'a file is no folder').to.equal(false);
  });

  it('a link on the way or at the name is refused (LinkRefused naming it), sync and async; nothing outside is read or listed', async () => {
    const { root } = layout();
    const viaFolder = nodePath.join(root, 'a', 'linked', 'secret.txt');
    const atName = nodePath.join(root, 'a', 'b', 'linked.txt');
    for (const e of [
      thrown(() => readTextBelowSync(root, viaFolder)),
      await rejection(readTextNoFollow(root, viaFolder)),
    ]) {
      expect(e).to.be.instanceOf(LinkRefused);
      expect((e as LinkRefused).path).to.equal(nodePath.join(root, 'a', 'linked'));
    }
    for (const e of [thrown(() => readTextBelowSync(root, atName)), await rejection(readTextNoFollow(root, atName))]) {
      expect(e).to.be.instanceOf(LinkRefused);
      expect((e as LinkRefused).path).to.equal(atName);
    }
    const linkedFolder = nodePath.join(root, 'a', 'linked');
    expect(thrown(() => listFolderSync(root, linkedFolder))).to.be.instanceOf(LinkRefused);
    expect((thrown(() => folderBelowSync(root, linkedFolder)) as LinkRefused).what).to.equal('a symbolic link');
    expect(kindBelowSync(root, viaFolder)).to.equal(null);
    expect(kindBelowSync(root, linkedFolder), 'the link itself, not what it names').to.equal('other');
    expect(thrown(() => readTextBelowSync(root, nodePath.join(root, '..', 'outside', 'secret.txt')))).to.be.instanceOf(
      LinkRefused,
    );
  });

  it('a FIFO is refused at once (never waited on: no writer ever comes), sync and async', async () => {
    const { root } = layout();
    const fifo = nodePath.join(root, 'a', 'b', 'fifo');
    for (const e of [thrown(() => readTextBelowSync(root, fifo)), await rejection(readTextNoFollow(root, fifo))]) {
      expect(e).to.be.instanceOf(LinkRefused);
      expect((e as LinkRefused).what).to.equal('not a regular file');
    }
  });

  it('the root itself may be reached through a link (the user’s choice)', async () => {
    const { root } = layout();
    const alias = `${root}-alias`;
    fs.symlinkSync(root, alias);
    expect(await readTextNoFollow(alias, nodePath.join(alias, 'a', 'b', 'file.txt'))).to.equal('inside');
    expect(readTextBelowSync(alias, nodePath.join(alias, 'a', 'b', 'file.txt'))).to.equal('inside');
  });

  describe('openToRead / openToReadSync: a rollout opened by name on the hot read path', () => {
    /** The bytes read through both forms, or what each threw. */
    const both = async (path: string, root?: string): Promise<[unknown, unknown]> => {
      let sync: unknown;
      try {
        const fd = openToReadSync(path, root);
        sync = fs.readFileSync(fd, 'utf8');
        fs.closeSync(fd);
      } catch (e) {
        sync = e;
      }
      let async_: unknown;
      try {
        const fh = await openToRead(path, root);
        async_ = (await fh.readFile()).toString('utf8');
        await fh.close();
      } catch (e) {
        async_ = e;
      }
      return [sync, async_];
    };

    it('opens a regular file below its root, the root itself reached through a link or not', async () => {
      const { root } = layout();
      const alias = `${root}-alias`;
      fs.symlinkSync(root, alias);
      expect(await both(nodePath.join(root, 'a', 'b', 'file.txt'), root)).to.deep.equal(['inside', 'inside']);
      expect(await both(nodePath.join(alias, 'a', 'b', 'file.txt'), alias)).to.deep.equal(['inside', 'inside']);
      expect(await both(nodePath.join(root, 'a', 'b', 'file.txt'))).to.deep.equal(['inside', 'inside']);
    });

    it('refuses a link at the file, with or without its root', async () => {
      const { root } = layout();
      for (const r of [root, undefined])
        for (const e of await both(nodePath.join(root, 'a', 'b', 'linked.txt'), r)) {
          expect(e).to.be.instanceOf(LinkRefused);
          expect((e as LinkRefused).what).to.equal('a symbolic link');
        }
    });

    it('refuses a file reached through a folder link below its root (one readlink of its descriptor)', async () => {
      const { root } = layout();
      for (const e of await both(nodePath.join(root, 'a', 'linked', 'secret.txt'), root)) {
        expect(e).to.be.instanceOf(LinkRefused);
        expect((e as LinkRefused).what).to.match(/reached through a link/);
      }
    });

    it('refuses a folder swapped for a link after the root was first used (the real root is kept, not the path re-resolved)', async () => {
      const { root, outside } = layout();
      const file = nodePath.join(root, 'a', 'b', 'file.txt');
      expect(await both(file, root)).to.deep.equal(['inside', 'inside']);
      fs.renameSync(nodePath.join(root, 'a', 'b'), nodePath.join(root, 'a', 'b-aside'));
      fs.writeFileSync(nodePath.join(outside, 'file.txt'), 'outside');
      fs.symlinkSync(outside, nodePath.join(root, 'a', 'b'));
      for (const e of await both(file, root)) expect(e).to.be.instanceOf(LinkRefused);
    });

    it('a file renamed or removed between its open and its check is ENOENT, as an open after the move (an archive moving it)', () => {
      const { root } = layout();
      const file = nodePath.join(root, 'a', 'b', 'file.txt');
      // Opened, then moved to another folder below the root (the step the check runs after, scripted here).
      const fd = fs.openSync(file, 'r');
      try {
        fs.mkdirSync(nodePath.join(root, 'archived'));
        fs.renameSync(file, nodePath.join(root, 'archived', 'file.txt'));
        const moved = thrown(() => checkReachedSync(fd, root, file));
        expect((moved as NodeJS.ErrnoException).code).to.equal('ENOENT');
        expect(moved).not.to.be.instanceOf(LinkRefused);
        // Removed: the same.
        fs.unlinkSync(nodePath.join(root, 'archived', 'file.txt'));
        expect((thrown(() => checkReachedSync(fd, root, file)) as NodeJS.ErrnoException).code).to.equal('ENOENT');
      } finally {
        fs.closeSync(fd);
      }
      // A path that still names the opened file, reached through a folder link: refused as before.
      const through = nodePath.join(root, 'a', 'linked', 'secret.txt');
      const fd2 = fs.openSync(through, 'r');
      try {
        expect(thrown(() => checkReachedSync(fd2, root, through))).to.be.instanceOf(LinkRefused);
      } finally {
        fs.closeSync(fd2);
      }
    });

    it('a path not joined as a listing joins it (dot parts, a doubled or trailing separator, a sibling sharing the root’s prefix) gets the same verdict', async () => {
      const { root, outside } = layout();
      const sibling = `${root}x`;
      fs.mkdirSync(sibling);
      fs.writeFileSync(nodePath.join(sibling, 'file.txt'), 'sibling');
      for (const [path, r] of [
        [`${root}/a/./b/file.txt`, root],
        [`${root}/a/../a/b/file.txt`, root],
        [`${root}//a/b/file.txt`, root],
        [`${root}/a/b/file.txt`, `${root}/`],
        [`${root}/a/b/file.txt`, `${root}/a/..`],
      ] as const)
        expect(await both(path, r), `${path} below ${r}`).to.deep.equal(['inside', 'inside']);
      for (const [path, r] of [
        [nodePath.join(sibling, 'file.txt'), root],
        [`${root}/a/../../outside/secret.txt`, root],
        [`${root}/a/b/../linked/secret.txt`, root],
        [`${root}/a/linked/secret.txt`, `${root}/`],
      ] as const)
        for (const e of await both(path, r)) expect(e, `${path} below ${r}`).to.be.instanceOf(LinkRefused);
      expect(fs.readFileSync(nodePath.join(outside, 'secret.txt'), 'utf8')).to.equal('outside');
    });

    it('refuses a FIFO at once (never waited on), a path outside its root, and lets ENOENT through', async () => {
      const { root } = layout();
      for (const e of await both(nodePath.join(root, 'a', 'b', 'fifo'), root))
        expect((e as LinkRefused).what).to.equal('not a regular file');
      for (const e of await both(nodePath.join(root, '..', 'outside', 'secret.txt'), root))
        expect(e).to.be.instanceOf(LinkRefused);
      for (const e of await both(nodePath.join(root, 'missing.jsonl'), root))
        expect((e as NodeJS.ErrnoException).code).to.equal('ENOENT');
    });
  });
});
