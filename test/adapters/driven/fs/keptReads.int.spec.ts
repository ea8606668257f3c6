import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { KEPT, closeIdleReads, readKept } from '../../../../adapters/driven/fs/keptReads.js';
import { LinkRefused } from '../../../../adapters/driven/fs/fsError.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { thrown } from '../../../fixtures/thrown.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';

/** The descriptors this process holds open on `path` (its own /proc/self/fd: what is kept, counted by the kernel). */
const heldOn = (path: string): number =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false; // the listing's own descriptor, closed since
    }
  }).length;

const textOf = (path: string, root: string | undefined): string =>
  readKept(path, root, (fd) => {
    const buf = Buffer.alloc(64);
    return buf.subarray(0, fs.readSync(fd, buf, 0, 64, 0)).toString('utf8');
  });

describe("keptReads: a file read again through the descriptor it was opened with, while the opener's check still passes", () => {
  const tmp = useTempDir('kept-reads-');
  let cases = 0;
  const layout = (): { root: string; file: string; outside: string } => {
    const base = nodePath.join(tmp(), `case-${(cases += 1)}`);
    const root = nodePath.join(base, 'root');
    const outside = nodePath.join(base, 'outside');
    fs.mkdirSync(nodePath.join(root, 'a', 'b'), { recursive: true });
    fs.mkdirSync(nodePath.join(outside, 'b'), { recursive: true });
    const file = nodePath.join(root, 'a', 'b', 'file.txt');
    fs.writeFileSync(file, 'inside');
    fs.writeFileSync(nodePath.join(outside, 'b', 'file.txt'), 'outside');
    return { root, file, outside };
  };
  before(function () {
    skipUnmet(
      this,
      fs.existsSync('/proc/self/fd'),
      'linux',
      'files are kept only where /proc names a descriptor’s path',
    );
  });
  afterEach(() => closeIdleReads(0));

  it('keeps one descriptor for a path read again, and reads what is appended to it', () => {
    const { root, file } = layout();
    expect(textOf(file, root)).to.equal('inside');
    fs.appendFileSync(file, ' and more');
    expect(textOf(file, root)).to.equal('inside and more');
    expect(heldOn(root)).to.equal(1);
  });

  it('opens the path again once it names another file (replaced by a rename), and closes the one it kept', () => {
    const { root, file } = layout();
    expect(textOf(file, root)).to.equal('inside');
    fs.writeFileSync(`${file}.new`, 'replaced');
    fs.renameSync(`${file}.new`, file);
    expect(textOf(file, root)).to.equal('replaced');
    expect(heldOn(root)).to.equal(1);
  });

  it('a file removed while kept: ENOENT, as an open would say, and its descriptor closed', () => {
    const { root, file } = layout();
    expect(textOf(file, root)).to.equal('inside');
    fs.rmSync(file);
    expect((thrown(() => textOf(file, root)) as NodeJS.ErrnoException).code).to.equal('ENOENT');
    expect(heldOn(root)).to.equal(0);
  });

  it('a folder on the way swapped for a link to another folder: refused, not read through the link', () => {
    const { root, file, outside } = layout();
    expect(textOf(file, root)).to.equal('inside');
    fs.renameSync(nodePath.join(root, 'a'), nodePath.join(root, 'gone'));
    fs.symlinkSync(outside, nodePath.join(root, 'a'));
    expect(thrown(() => textOf(file, root))).to.be.instanceOf(LinkRefused);
    expect(heldOn(nodePath.join(outside))).to.equal(0);
  });

  it('the same file moved out of the home with its folder, a link left in its place: refused, not read through the kept descriptor', () => {
    const { root, file, outside } = layout();
    expect(textOf(file, root)).to.equal('inside');
    const movedOut = nodePath.join(outside, 'a');
    fs.renameSync(nodePath.join(root, 'a'), movedOut);
    fs.symlinkSync(movedOut, nodePath.join(root, 'a'));
    fs.appendFileSync(nodePath.join(movedOut, 'b', 'file.txt'), ' written outside');
    expect(thrown(() => textOf(file, root))).to.be.instanceOf(LinkRefused);
    expect(heldOn(outside)).to.equal(0);
  });

  it('a kept descriptor closed behind its back, its number taken by another file: the path is opened again', () => {
    const { root, file, outside } = layout();
    expect(textOf(file, root)).to.equal('inside');
    const [fd] = fs
      .readdirSync('/proc/self/fd')
      .filter((n) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${n}`) === fs.realpathSync(file);
        } catch {
          return false; // the listing's own descriptor, closed since
        }
      })
      .map(Number);
    fs.closeSync(fd!);
    const other = fs.openSync(nodePath.join(outside, 'b', 'file.txt'), 'r');
    try {
      expect(other).to.equal(fd);
      expect(textOf(file, root)).to.equal('inside');
    } finally {
      fs.closeSync(other);
    }
  });

  it('a read that throws closes its file; with no root to check against, nothing is kept', () => {
    const { root, file } = layout();
    expect(
      thrown(() =>
        readKept(file, root, () => {
          throw new Error('short read');
        }),
      ),
    ).to.have.property('message', 'short read');
    expect(heldOn(root)).to.equal(0);
    expect(textOf(file, undefined)).to.equal('inside');
    expect(heldOn(root)).to.equal(0);
  });

  it(`keeps at most ${KEPT} files, the least recently read closed first; an idle sweep closes the rest`, () => {
    const { root } = layout();
    const files = Array.from({ length: KEPT + 8 }, (_, i) => {
      const f = nodePath.join(root, 'a', `f${i}.txt`);
      fs.writeFileSync(f, `file ${i}`);
      return f;
    });
    for (const f of files) textOf(f, root);
    expect(heldOn(root)).to.equal(KEPT);
    // The first ones went first: reading the last again opens nothing more.
    textOf(files[files.length - 1]!, root);
    expect(heldOn(root)).to.equal(KEPT);
    expect(heldOn(files[0]!)).to.equal(0);
    expect(heldOn(files[files.length - 1]!)).to.equal(1);
    expect(closeIdleReads(0)).to.equal(0);
    expect(heldOn(root)).to.equal(0);
  });
});
