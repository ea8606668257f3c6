// Which folders are the engine's index environments (adapters/driven/lmdb/indexFolder.ts): the marker,
// an empty folder, an older engine's index; anything else refused and left as it is.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { open } from 'lmdb';
import {
  INDEX_MARKER,
  claimIndexFolder,
  inspectIndexFolder,
  removeIndexFolder,
} from '../../../../adapters/driven/lmdb/indexFolder.js';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import { SCHEMA_VERSION_KEY } from '../../../../adapters/driven/lmdb/schema.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { right } from '../../../fixtures/right.js';

describe('lmdb · index folders', () => {
  const tmp = useTempDir('ix-folder-');

  it('an absent folder is created 0700 with the marker; an empty one is taken and marked', () => {
    const absent = nodePath.join(tmp(), 'a', 'index');
    expect(inspectIndexFolder(absent)).to.deep.equal({ kind: 'absent' });
    claimIndexFolder(absent, 0o700);
    expect(fs.statSync(absent).mode & 0o777).to.equal(0o700);
    expect(fs.readdirSync(absent)).to.deep.equal([INDEX_MARKER]);
    expect(inspectIndexFolder(absent)).to.deep.equal({ kind: 'engine', marked: true });
    const empty = nodePath.join(tmp(), 'b');
    fs.mkdirSync(empty);
    expect(inspectIndexFolder(empty)).to.deep.equal({ kind: 'engine', marked: false });
    claimIndexFolder(empty, 0o700);
    expect(fs.readdirSync(empty)).to.deep.equal([INDEX_MARKER]);
  });

  it("an index of an older engine (the schema version in meta, no marker) is the engine's; another program's LMDB, other files, a link or a file are not", async () => {
    const older = nodePath.join(tmp(), 'older');
    const store = right(await openLmdbIndex(older)());
    right(
      store.transact('init', (_r, write) =>
        write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: 20 }),
      ),
    );
    right(await store.close()());
    fs.rmSync(nodePath.join(older, INDEX_MARKER));
    expect(inspectIndexFolder(older)).to.deep.equal({ kind: 'engine', marked: false });

    const theirs = nodePath.join(tmp(), 'theirs');
    const env = open({ path: theirs, maxDbs: 2 });
    env.openDB({ name: 'meta' }).putSync('other', 1);
    await env.close();
    expect(inspectIndexFolder(theirs)).to.deep.equal({
      kind: 'foreign',
      found: 'an LMDB environment without the index schema',
    });

    const notes = nodePath.join(tmp(), 'notes');
    fs.mkdirSync(notes);
    for (let i = 0; i < 7; i++) fs.writeFileSync(nodePath.join(notes, `n${i}.txt`), 'x');
    expect(inspectIndexFolder(notes))
      .to.have.property('found')
      .that.matches(/^n\d\.txt(, n\d\.txt){4} and 2 more$/);
    // A marker that is not a regular file does not make a folder the engine's.
    const fake = nodePath.join(tmp(), 'fake');
    fs.mkdirSync(nodePath.join(fake, INDEX_MARKER), { recursive: true });
    expect(inspectIndexFolder(fake).kind).to.equal('foreign');

    fs.symlinkSync(older, nodePath.join(tmp(), 'link'));
    expect(inspectIndexFolder(nodePath.join(tmp(), 'link'))).to.deep.equal({
      kind: 'foreign',
      found: 'a symbolic link',
    });
    fs.writeFileSync(nodePath.join(tmp(), 'file'), 'x');
    expect(inspectIndexFolder(nodePath.join(tmp(), 'file'))).to.deep.equal({
      kind: 'foreign',
      found: 'a file, not a folder',
    });

    for (const dir of [theirs, notes, fake]) {
      const before = fs.readdirSync(dir).sort();
      expect(() => claimIndexFolder(dir, 0o700))
        .to.throw()
        .that.has.property('_tag', 'InvalidArgument');
      const refused = await removeIndexFolder(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).to.have.property('_tag', 'InvalidArgument');
      expect(fs.readdirSync(dir).sort()).to.deep.equal(before);
    }
  });

  it('a removal stopped half-way leaves the marker, so the folder is still the engine’s and is removed next time', async () => {
    const dir = nodePath.join(tmp(), 'half');
    const store = right(await openLmdbIndex(dir)());
    right(await store.close()());
    fs.rmSync(nodePath.join(dir, 'data.mdb'));
    expect(inspectIndexFolder(dir)).to.deep.equal({ kind: 'engine', marked: true });
    expect(await removeIndexFolder(dir)).to.equal(true);
    expect(fs.existsSync(dir)).to.equal(false);
    expect(await removeIndexFolder(dir)).to.equal(false);
  });
});
