import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import {
  chmodNoFollowSync,
  confinementRoot,
  createExclusiveNoFollowSync,
  mkdirNoFollow,
  openNoFollow,
  refuseLinkSync,
} from '../../../../adapters/driven/fs/noFollow.js';
import { readTextNoFollow } from '../../../../adapters/driven/fs/heldRead.js';
import { appendNoFollow } from '../../../../adapters/driven/fs/appendNoFollow.js';
import { createNoFollow, holdFolder } from '../../../../adapters/driven/fs/heldFolder.js';
import { LinkRefused } from '../../../../adapters/driven/fs/fsError.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { thrown } from '../../../fixtures/thrown.js';

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
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'linked.jsonl'), 'append'))).to.be.instanceOf(
      LinkRefused,
    );
    fs.symlinkSync(tmp(), nodePath.join(root, 'dir'));
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'dir', 'x.jsonl'), 'append'))).to.be.instanceOf(
      LinkRefused,
    );
    expect(fs.existsSync(nodePath.join(tmp(), 'x.jsonl'))).to.equal(false);
    execFileSync('mkfifo', [nodePath.join(root, 'fifo.jsonl')]);
    expect(await refusal(openNoFollow(root, nodePath.join(root, 'fifo.jsonl'), 'read'))).to.be.instanceOf(LinkRefused);
    expect(fs.readFileSync(outside, 'utf8')).to.equal('keep');
  });

  it('creates a file exclusively at once: its mode whatever the umask, an existing name (a dangling link too) EEXIST, a linked folder on the way refused, nothing made outside', () => {
    const root = nodePath.join(tmp(), 'home-created');
    fs.mkdirSync(nodePath.join(root, 'day'), { recursive: true });
    const path = nodePath.join(root, 'day', 'x.lock');
    const umask = process.umask(0);
    try {
      fs.closeSync(createExclusiveNoFollowSync(root, path, 0o644));
    } finally {
      process.umask(umask);
    }
    expect(fs.statSync(path).mode & 0o777).to.equal(0o644);
    expect((thrown(() => createExclusiveNoFollowSync(root, path)) as NodeJS.ErrnoException).code).to.equal('EEXIST');
    const outside = nodePath.join(tmp(), 'outside-created');
    fs.mkdirSync(outside);
    fs.symlinkSync(nodePath.join(outside, 'target.lock'), nodePath.join(root, 'day', 'dangling.lock'));
    expect(
      (
        thrown(() =>
          createExclusiveNoFollowSync(root, nodePath.join(root, 'day', 'dangling.lock')),
        ) as NodeJS.ErrnoException
      ).code,
    ).to.equal('EEXIST');
    fs.symlinkSync(outside, nodePath.join(root, 'linked'));
    expect(thrown(() => createExclusiveNoFollowSync(root, nodePath.join(root, 'linked', 'y.lock')))).to.be.instanceOf(
      LinkRefused,
    );
    expect(fs.readdirSync(outside)).to.deep.equal([]);
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

  it('confines below the home an index dir inside it, else below the index dir itself', () => {
    expect(confinementRoot('/h', '/h/.rollout-engine')).to.equal('/h');
    expect(confinementRoot('/h', '/h')).to.equal('/h');
    expect(confinementRoot('/h', '/elsewhere/idx')).to.equal('/elsewhere/idx');
    expect(confinementRoot('/h', '/h2/idx')).to.equal('/h2/idx');
  });

  it('creates, appends and reads whole files only as regular files, and makes a missing root as mkdir -p would', async () => {
    const root = nodePath.join(tmp(), 'new-root', 'idx');
    const file = nodePath.join(root, 'keys.jsonl');
    await mkdirNoFollow(root, root, 0o700);
    expect(fs.statSync(root).mode & 0o777).to.equal(0o700);
    await appendNoFollow(root, file, 'a\n', 0o600);
    await appendNoFollow(root, file, 'b\n', 0o600);
    expect(await readTextNoFollow(root, file)).to.equal('a\nb\n');
    expect(await refusal(createNoFollow(root, file, 'c', 0o600))).to.have.property('code', 'EEXIST');
    const outside = nodePath.join(tmp(), 'outside-2.txt');
    fs.writeFileSync(outside, 'keep');
    fs.symlinkSync(outside, nodePath.join(root, 'mark'));
    fs.symlinkSync(nodePath.join(tmp(), 'absent-2'), nodePath.join(root, 'dangling'));
    expect(await refusal(readTextNoFollow(root, nodePath.join(root, 'mark')))).to.be.instanceOf(LinkRefused);
    expect(await refusal(appendNoFollow(root, nodePath.join(root, 'mark'), 'x', 0o600))).to.be.instanceOf(LinkRefused);
    expect(await refusal(createNoFollow(root, nodePath.join(root, 'dangling'), 'x', 0o600))).to.have.property(
      'code',
      'EEXIST',
    );
    expect(fs.readFileSync(outside, 'utf8')).to.equal('keep');
    expect(fs.existsSync(nodePath.join(tmp(), 'absent-2'))).to.equal(false);
  });

  it('synchronously refuses a link where LMDB’s folder or files are, and chmods only through a no-follow handle', () => {
    const dir = nodePath.join(tmp(), 'env');
    fs.mkdirSync(dir);
    const outside = nodePath.join(tmp(), 'outside-3.txt');
    fs.writeFileSync(outside, 'keep', { mode: 0o644 });
    fs.chmodSync(outside, 0o644);
    fs.symlinkSync(outside, nodePath.join(dir, 'data.mdb'));
    fs.symlinkSync(tmp(), nodePath.join(tmp(), 'env-link'));
    expect(() => refuseLinkSync(nodePath.join(dir, 'data.mdb'), 'file')).to.throw(LinkRefused);
    expect(() => refuseLinkSync(nodePath.join(tmp(), 'env-link'), 'folder')).to.throw(LinkRefused);
    expect(() => refuseLinkSync(dir, 'file')).to.throw(LinkRefused);
    expect(() => refuseLinkSync(nodePath.join(dir, 'lock.mdb'), 'file')).to.not.throw();
    expect(() => chmodNoFollowSync(nodePath.join(dir, 'data.mdb'), 0o600, 'file')).to.throw();
    expect(fs.statSync(outside).mode & 0o777).to.equal(0o644);
    chmodNoFollowSync(dir, 0o700, 'folder');
    expect(fs.statSync(dir).mode & 0o777).to.equal(0o700);
  });

  it('holds a folder by handle: made with its mode, a link on the way refused, and what is created through it stays in the folder held when a link is swapped in', async () => {
    const root = nodePath.join(tmp(), 'home', 'sessions');
    const day = nodePath.join(root, '2026', '11', '22');
    const umask = process.umask(0);
    let held;
    try {
      held = await holdFolder(root, day, { create: true, mode: 0o700 });
    } finally {
      process.umask(umask);
    }
    expect(fs.statSync(day).mode & 0o777).to.equal(0o700);
    expect(await held.stillAt()).to.equal(true);
    const outside = nodePath.join(tmp(), 'outside');
    fs.mkdirSync(outside);
    fs.renameSync(day, `${day}.moved`);
    fs.symlinkSync(outside, day);
    fs.writeFileSync(held.at('rollout.jsonl'), 'x\n');
    expect(fs.readdirSync(outside)).to.deep.equal([]);
    expect(fs.readdirSync(`${day}.moved`)).to.deep.equal(['rollout.jsonl']);
    expect(await held.stillAt()).to.equal(false);
    const said = held.named(new Error(`EACCES: open '${held.at('x.lock')}'`)) as Error;
    expect(said.message).to.equal(`EACCES: open '${nodePath.join(day, 'x.lock')}'`);
    await held.close();
    const refused = await refusal(holdFolder(root, day, { create: true, mode: 0o700 }));
    expect(refused).to.be.instanceOf(LinkRefused);
    expect((refused as LinkRefused).path).to.equal(day);
    expect(
      await refusal(holdFolder(root, nodePath.join(root, 'none'), { create: false, mode: 0o700 })),
    ).to.have.property('code', 'ENOENT');
    // A missing root is made (the home's `sessions/` of a new home), as `mkdir -p` makes it.
    const fresh = nodePath.join(tmp(), 'fresh', 'sessions');
    await (await holdFolder(fresh, nodePath.join(fresh, '2026'), { create: true, mode: 0o700 })).close();
    expect(fs.statSync(nodePath.join(fresh, '2026')).isDirectory()).to.equal(true);
  });
  it('creates a new file through its held folder: a folder moved out of the root and replaced by a link after the hold gets the file taken back and a refusal, nothing left outside', async () => {
    const root = nodePath.join(tmp(), 'held-create-repo');
    const outside = nodePath.join(tmp(), 'held-create-outside');
    fs.mkdirSync(nodePath.join(root, '.codex', 'agents'), { recursive: true });
    fs.mkdirSync(outside);
    const target = nodePath.join(root, '.codex', 'agents', 'tester.toml');
    // The repository's owner, once the import holds the folder: it goes outside, a link to it at its name.
    const swap = async (): Promise<void> => {
      fs.renameSync(nodePath.join(root, '.codex'), nodePath.join(outside, 'moved'));
      fs.symlinkSync(nodePath.join(outside, 'moved'), nodePath.join(root, '.codex'));
    };
    const err = await refusal(createNoFollow(root, target, 'name = "tester"\n', 0o644, false, swap));
    expect(err).to.be.instanceOf(LinkRefused);
    expect(String((err as Error).message)).to.include(nodePath.join(root, '.codex', 'agents'));
    expect(fs.readdirSync(nodePath.join(outside, 'moved', 'agents'))).to.deep.equal([]);
    // Without a swap the file is made, with its mode.
    const plain = nodePath.join(tmp(), 'held-create-plain');
    fs.mkdirSync(plain);
    await createNoFollow(plain, nodePath.join(plain, 'AGENTS.md'), 'hello\n', 0o644);
    expect(fs.readFileSync(nodePath.join(plain, 'AGENTS.md'), 'utf8')).to.equal('hello\n');
    expect(fs.statSync(nodePath.join(plain, 'AGENTS.md')).mode & 0o777).to.equal(0o644);
  });
});
