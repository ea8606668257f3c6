import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { withIndex } from '../fixtures/openedIndex.js';
import { lmdbHistoryIndexer } from '../../indexer/reads/historyIndexer.js';
import { watchedIndexer } from '../fixtures/scriptedWatch.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

const T = '01a1fe84-0000-7000-8000-0000000000c1';

describe('indexer: writing (a mutation catching up its own write)', () => {
  const tmp = useTempDir('own-writes-');

  /** A home of one legacy thread of 2 turns, indexed; its rollout's path, its text with a 3rd turn. */
  const indexedHome = async (name: string) => {
    const home = nodePath.join(tmp(), name);
    const path = writeRollout(home, rolloutName(T), chatThread('legacy', T, 2).text());
    const grown = chatThread('legacy', T, 3).text();
    const before = fs.readFileSync(path, 'utf8');
    // The 3rd turn is what an append adds: the file's text stays its first part.
    expect(grown.startsWith(before)).to.equal(true);
    await withIndex(home, async (store) => right(await lmdbHistoryIndexer(store, home).refreshAll()()));
    return { home, path, appended: grown.slice(before.length) };
  };

  const indexedSize = (store: LmdbIndexStore, path: string): number | undefined =>
    store.reader.get('files', [path])?.size;

  it('a list meanwhile answers as the index stands: the written file is set aside, not caught up by the list', async () => {
    const { home, path, appended } = await indexedHome('aside');
    await withIndex(home, async (store) => {
      const { watch, caughtUp, indexer } = watchedIndexer(store, home);
      const sizeBefore = indexedSize(store, path);
      const writeEnded = indexer.writing([path]);
      fs.appendFileSync(path, appended);
      watch.changes([path]);
      right(await indexer.refreshAll()());
      expect(caughtUp, 'the list caught up nothing').to.deep.equal([]);
      expect(indexedSize(store, path), 'the index as it stood').to.equal(sizeBefore);
      // The mutation's own catch-up, then its end: the file set aside is as indexed, so no list catches it up.
      right(await indexer.catchUp([path])());
      writeEnded();
      expect(indexedSize(store, path)).to.equal(fs.statSync(path).size);
      right(await indexer.refreshAll()());
      expect(caughtUp, 'nothing left to catch up').to.deep.equal([]);
    });
  });

  it('a write that ended without its catch-up (a failed mutation): the next list catches the file up', async () => {
    const { home, path, appended } = await indexedHome('failed');
    await withIndex(home, async (store) => {
      const { watch, caughtUp, indexer } = watchedIndexer(store, home);
      const writeEnded = indexer.writing([path]);
      fs.appendFileSync(path, appended);
      watch.changes([path]);
      right(await indexer.refreshAll()());
      expect(caughtUp).to.deep.equal([]);
      writeEnded();
      // Called twice (a finally after an error path): counted once.
      writeEnded();
      right(await indexer.refreshAll()());
      expect(caughtUp, 'the file set aside, caught up by the next list').to.deep.equal([1]);
      expect(indexedSize(store, path)).to.equal(fs.statSync(path).size);
    });
  });

  it('two writes of one file: set aside until both ended; a change the watch saw after is caught up at once', async () => {
    const { home, path, appended } = await indexedHome('two');
    await withIndex(home, async (store) => {
      const { watch, caughtUp, indexer } = watchedIndexer(store, home);
      const first = indexer.writing([path]);
      const second = indexer.writing([path]);
      fs.appendFileSync(path, appended);
      watch.changes([path]);
      right(await indexer.refreshAll()());
      first();
      right(await indexer.refreshAll()());
      expect(caughtUp, 'the second write still runs').to.deep.equal([]);
      second();
      right(await indexer.refreshAll()());
      expect(caughtUp, 'both ended, the file not as indexed').to.deep.equal([1]);
      // No write running: a change the watch sees is caught up by the list that takes it.
      fs.appendFileSync(path, chatThread('legacy', T, 4).text().slice(fs.statSync(path).size));
      watch.changes([path]);
      right(await indexer.refreshAll()());
      expect(caughtUp).to.deep.equal([1, 1]);
      expect(indexedSize(store, path)).to.equal(fs.statSync(path).size);
    });
  });

  it("a thread's read-repair meanwhile reads it as indexed; once the write ended without its catch-up, the read catches it up", async () => {
    const { home, path, appended } = await indexedHome('read');
    await withIndex(home, async (store) => {
      const refreshed: string[] = [];
      const indexer = lmdbHistoryIndexer(
        store,
        home,
        {},
        {
          observer: {
            gatePassed: () => undefined,
            threadRefreshed: (_id, freshness) => refreshed.push(freshness),
            homeCaughtUp: () => undefined,
          },
        },
      );
      const sizeBefore = indexedSize(store, path);
      const writeEnded = indexer.writing([path]);
      fs.appendFileSync(path, appended);
      right(await indexer.refreshThread(T)());
      expect(refreshed, 'read as indexed').to.deep.equal(['fresh']);
      expect(indexedSize(store, path)).to.equal(sizeBefore);
      writeEnded();
      right(await indexer.refreshThread(T)());
      expect(refreshed, 'the grown file caught up by the read').to.deep.equal(['fresh', 'caughtUp']);
      expect(indexedSize(store, path)).to.equal(fs.statSync(path).size);
    });
  });

  it('a file its mutation deleted and forgot: the list after it has nothing to catch up', async () => {
    const { home, path } = await indexedHome('deleted');
    await withIndex(home, async (store) => {
      const { watch, caughtUp, indexer } = watchedIndexer(store, home);
      const writeEnded = indexer.writing([path]);
      fs.unlinkSync(path);
      watch.changes([path]);
      right(await indexer.refreshAll()());
      expect(store.reader.get('files', [path]), 'the index as it stood').to.not.equal(undefined);
      right(await indexer.catchUp([path])());
      writeEnded();
      expect(store.reader.get('files', [path]), 'forgotten by the mutation').to.equal(undefined);
      right(await indexer.refreshAll()());
      expect(caughtUp, 'no checkpoint and no file: as indexed').to.deep.equal([]);
    });
  });
});
