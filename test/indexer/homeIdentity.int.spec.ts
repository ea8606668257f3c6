import { lmdbDir, withIndex } from '../fixtures/openedIndex.js';
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { lmdbHistoryIndexer } from '../../indexer/reads/historyIndexer.js';
import { isInsideHome } from '../../adapters/driven/fs/insideHome.js';
import { HOME_KEY, SCHEMA_VERSION, SCHEMA_VERSION_KEY } from '../../adapters/driven/lmdb/schema.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

const T = '01a1fe84-0000-7000-8000-00000000003a';

const filePaths = (store: LmdbIndexStore) => store.reader.keys('files', []).map((k) => String(k[0]));

describe('the index records the home it describes (openIndex)', () => {
  const tmp = useTempDir('home-identity-');

  const homeWithIndex = async (name: string): Promise<string> => {
    const home = nodePath.join(tmp(), name);
    writeRollout(home, rolloutName(T), chatThread('legacy', T, 2).text());
    await withIndex(home, async (store) => {
      right(await lmdbHistoryIndexer(store, home).refreshAll()());
    });
    return home;
  };

  it('a new index records its home; reopened for the same home it is current', async () => {
    const home = await homeWithIndex('same');
    await withIndex(home, (store, migrated) => {
      expect(migrated).to.equal('current');
      expect(store.reader.get('meta', HOME_KEY)).to.deep.equal({ root: home, realPath: fs.realpathSync(home) });
    });
  });

  it('an index copied with its home is rebuilt for the copy: no path of the original is left', async () => {
    const a = await homeWithIndex('A');
    const b = nodePath.join(tmp(), 'B');
    fs.cpSync(a, b, { recursive: true });
    await withIndex(b, (store, migrated) => {
      expect(migrated).to.equal('rerooted');
      expect(filePaths(store)).to.have.length(1);
      for (const p of filePaths(store)) expect(isInsideHome(b, p), p).to.equal(true);
      expect(store.reader.get('meta', HOME_KEY)).to.deep.include({ root: b });
      expect(store.reader.get('meta', SCHEMA_VERSION_KEY)).to.equal(SCHEMA_VERSION);
    });
    await withIndex(b, (_store, migrated) => expect(migrated).to.equal('current'));
  });

  it('`--index-dir` naming another home’s index: rebuilt for the home given', async () => {
    const a = await homeWithIndex('A2');
    const c = nodePath.join(tmp(), 'C2');
    writeRollout(c, rolloutName(T), chatThread('legacy', T, 1).text());
    await withIndex(
      c,
      (store, migrated) => {
        expect(migrated).to.equal('rerooted');
        for (const p of filePaths(store)) expect(p.startsWith(c + nodePath.sep), p).to.equal(true);
      },
      lmdbDir(a),
    );
  });

  it('an index from before homes were recorded is adopted when its paths are this home’s, rebuilt when they are not', async () => {
    const a = await homeWithIndex('A3');
    await withIndex(a, (store) =>
      right(store.transact('forget home', (_r, write) => write({ op: 'del', table: 'meta', key: [...HOME_KEY] }))),
    );
    const b = nodePath.join(tmp(), 'B3');
    fs.cpSync(a, b, { recursive: true });
    await withIndex(a, (store, migrated) => {
      expect(migrated).to.equal('current');
      expect(store.reader.get('meta', HOME_KEY)).to.deep.include({ root: a });
    });
    await withIndex(b, (store, migrated) => {
      expect(migrated).to.equal('rerooted');
      for (const p of filePaths(store)) expect(p.startsWith(b + nodePath.sep), p).to.equal(true);
    });
  });

  it('an index of another home written by a newer version is refused, not rebuilt', async () => {
    const a = await homeWithIndex('A4');
    await withIndex(a, (store) =>
      right(
        store.transact('newer', (_r, write) =>
          write({ op: 'put', table: 'meta', key: [...SCHEMA_VERSION_KEY], value: SCHEMA_VERSION + 1 }),
        ),
      ),
    );
    const b = nodePath.join(tmp(), 'B4');
    fs.cpSync(a, b, { recursive: true });
    const r = await openIndex(lmdbDir(b), b)();
    expect(E.isLeft(r) && r.left._tag).to.equal('Unsupported');
  });

  it('a home that is not there, or not a folder: NotFound / InvalidArgument, and nothing is created', async () => {
    const missing = nodePath.join(tmp(), 'missing');
    const r = await openIndex(lmdbDir(missing), missing)();
    expect(E.isLeft(r) && r.left).to.deep.equal({ _tag: 'NotFound', what: 'CODEX_HOME', id: missing });
    expect(fs.existsSync(missing)).to.equal(false);
    const file = nodePath.join(tmp(), 'file');
    fs.writeFileSync(file, '');
    const f = await openIndex(nodePath.join(tmp(), 'ix-of-file'), file)();
    expect(E.isLeft(f) && f.left._tag).to.equal('InvalidArgument');
    expect(fs.existsSync(nodePath.join(tmp(), 'ix-of-file'))).to.equal(false);
  });
});
