import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { TEMP_NAME, tempPathBeside, writeFileAtomic } from '../../../../adapters/driven/fs/writeFileAtomic.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

describe('writeFileAtomic', () => {
  const tmp = useTempDir('atomic-');

  it('replaces the file whole with the mode asked, whatever the umask, and leaves no temp file', async () => {
    const path = nodePath.join(tmp(), 'a.json');
    fs.writeFileSync(path, 'old', { mode: 0o644 });
    const umask = process.umask(0);
    try {
      await writeFileAtomic(path, 'new', { mode: 0o600 });
    } finally {
      process.umask(umask);
    }
    expect(fs.readFileSync(path, 'utf8')).to.equal('new');
    expect(fs.statSync(path).mode & 0o777).to.equal(0o600);
    expect(fs.readdirSync(tmp()).filter((n) => n.startsWith('.a.json'))).to.deep.equal([]);
  });

  it('keeps the replaced file’s own mode when asked (another program’s file), and uses the fallback for a new one', async () => {
    const kept = nodePath.join(tmp(), 'kept.jsonl');
    fs.writeFileSync(kept, 'x');
    fs.chmodSync(kept, 0o640);
    await writeFileAtomic(kept, 'y', { mode: { keep: 0o600 } });
    expect(fs.statSync(kept).mode & 0o777).to.equal(0o640);
    const fresh = nodePath.join(tmp(), 'fresh.jsonl');
    await writeFileAtomic(fresh, 'z', { mode: { keep: 0o600 } });
    expect(fs.statSync(fresh).mode & 0o777).to.equal(0o600);
  });

  it('streams a writer’s bytes, and a failing writer leaves the old file and no temp file', async () => {
    const path = nodePath.join(tmp(), 'streamed.txt');
    await writeFileAtomic(
      path,
      async (fh) => {
        await fh.write('one ');
        await fh.write('two');
      },
      { mode: 0o600 },
    );
    expect(fs.readFileSync(path, 'utf8')).to.equal('one two');
    const failing = writeFileAtomic(
      path,
      async (fh) => {
        await fh.write('half');
        throw new Error('disk full');
      },
      { mode: 0o600 },
    );
    expect(
      (
        (await failing.then(
          () => undefined,
          (e: unknown) => e,
        )) as Error
      ).message,
    ).to.equal('disk full');
    expect(fs.readFileSync(path, 'utf8')).to.equal('one two');
    expect(fs.readdirSync(tmp()).filter((n) => n.startsWith('.streamed'))).to.deep.equal([]);
  });

  it('never follows a link: one at the target is replaced (the file it named is untouched), one in the folder path is refused', async () => {
    const outside = nodePath.join(tmp(), 'outside.txt');
    fs.writeFileSync(outside, 'keep me');
    const home = nodePath.join(tmp(), 'home');
    fs.mkdirSync(home);
    const target = nodePath.join(home, 'session_index.jsonl');
    fs.symlinkSync(outside, target);
    await writeFileAtomic(target, 'mine', { mode: 0o600, root: home });
    expect(fs.lstatSync(target).isFile()).to.equal(true);
    expect(fs.readFileSync(outside, 'utf8')).to.equal('keep me');

    fs.mkdirSync(nodePath.join(tmp(), 'elsewhere'));
    fs.symlinkSync(nodePath.join(tmp(), 'elsewhere'), nodePath.join(home, 'linked'));
    const err = await writeFileAtomic(nodePath.join(home, 'linked', 'f'), 'x', { mode: 0o600, root: home }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as { code?: string }).code).to.equal('ELOOP');
    expect(fs.readdirSync(nodePath.join(tmp(), 'elsewhere'))).to.deep.equal([]);
  });

  it('names temp files so the leftovers sweep can tell whose they are, and nobody can guess them', () => {
    const a = nodePath.basename(tempPathBeside('/x/f.json'));
    const b = nodePath.basename(tempPathBeside('/x/f.json'));
    expect(a).to.match(TEMP_NAME);
    expect(a).to.include(`.f.json.${process.pid}`);
    expect(a).not.to.equal(b);
  });
});
