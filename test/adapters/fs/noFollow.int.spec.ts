import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { LinkRefused, mkdirNoFollow, openNoFollow } from '../../../adapters/fs/noFollow.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const refusal = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('noFollow: the engine’s own files opened without following links', () => {
  const tmp = useTempDir('nofollow-');

  it('appends to a regular file, creating it with the mode asked whatever the umask, and keeps an existing file’s mode', async () => {
    const root = tmp();
    const path = nodePath.join(root, 'quarantine.jsonl');
    const umask = process.umask(0);
    try {
      const fh = await openNoFollow(root, path, 'append', 0o600);
      await fh.write('a\n');
      await fh.close();
    } finally {
      process.umask(umask);
    }
    expect(fs.statSync(path).mode & 0o777).to.equal(0o600);
    fs.chmodSync(path, 0o644);
    const again = await openNoFollow(root, path, 'append', 0o600);
    await again.write('b\n');
    await again.close();
    expect(fs.readFileSync(path, 'utf8')).to.equal('a\nb\n');
    expect(fs.statSync(path).mode & 0o777).to.equal(0o644);
  });

  it('refuses a link at the file, a linked folder on the way, and a FIFO (without blocking)', async () => {
    const root = nodePath.join(tmp(), 'home');
    fs.mkdirSync(root);
    const outside = nodePath.join(tmp(), 'outside.txt');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, nodePath.join(root, 'linked.jsonl'));
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'linked.jsonl'), 'append'))).to.be.instanceOf(LinkRefused);
    fs.symlinkSync(tmp(), nodePath.join(root, 'dir'));
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'dir', 'x.jsonl'), 'append'))).to.be.instanceOf(LinkRefused);
    expect(fs.existsSync(nodePath.join(tmp(), 'x.jsonl'))).to.equal(false);
    execFileSync('mkfifo', [nodePath.join(root, 'fifo.jsonl')]);
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'fifo.jsonl'), 'read'))).to.be.instanceOf(LinkRefused);
    expect(fs.readFileSync(outside, 'utf8')).to.equal('keep');
  });

  it('makes folders with the mode asked and refuses a link where a folder should be', async () => {
    const root = nodePath.join(tmp(), 'idx');
    fs.mkdirSync(root);
    await mkdirNoFollow(root, nodePath.join(root, 'a', 'b'), 0o700);
    expect(fs.statSync(nodePath.join(root, 'a', 'b')).mode & 0o777).to.equal(0o700);
    fs.symlinkSync(tmp(), nodePath.join(root, 'c'));
    expect(await refusal(mkdirNoFollow(root, nodePath.join(root, 'c', 'd'), 0o700))).to.be.instanceOf(LinkRefused);
    expect(fs.existsSync(nodePath.join(tmp(), 'd'))).to.equal(false);
  });
});
