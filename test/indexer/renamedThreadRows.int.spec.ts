import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import type { IndexReader } from '../../domain/index/rows.js';
import type { IndexStore } from '../../domain/ports.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { right } from '../fixtures/right.js';
import { commitsReadingThrough } from '../fixtures/countedReads.js';
import { watchedIndexer } from '../fixtures/scriptedWatch.js';
import { lmdbHistoryIndexer } from '../../indexer/reads/historyIndexer.js';
import { loadLineage } from '../../replay/internal/lineage.js';

/**
 * A rename (a line appended to session_index.jsonl, by Codex's `thread/name/set` or ours) changes
 * one thread row: the catch-up after it redoes that row, not every row of the home (on a home of
 * 91,177 threads every row took seconds; measured in the commit that made it).
 * Counted as the rollout rows the thread-row refresh reads (each row derived reads its thread's).
 */
const THREADS = 40;

/** The store, with the rollout rows read by its commits' builders counted. */
const counting = (store: IndexStore): { readonly store: IndexStore; readonly rolloutReads: () => number } => {
  let reads = 0;
  const wrap = (reader: IndexReader): IndexReader => ({
    get: (table, key) => {
      if (table === 'rollouts') reads += 1;
      return reader.get(table, key);
    },
    keys: (table, prefix) => reader.keys(table, prefix),
  });
  return {
    store: commitsReadingThrough(store, wrap),
    rolloutReads: () => reads,
  };
};

const threadsOf = async (s: LmdbIndexStore): Promise<string> =>
  JSON.stringify(right(await s.dump()()).filter((r) => r.table === 'threads'));

describe('a rename redoes the renamed thread rows, not every row', function () {
  this.timeout(120_000);
  const tmp = useTempDir('renamed-rows-');

  const homeOf = async (name: string): Promise<{ home: string; ids: string[] }> => {
    const home = nodePath.join(tmp(), name);
    const ids: string[] = [];
    for (let i = 0; i < THREADS; i++) {
      const t = newThread(500 + i);
      ids.push(t.threadId);
      await writeSynthThread(home, t, 1);
    }
    await fs.writeFile(
      nodePath.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id: ids[0], thread_name: 'first', updated_at: '2026-11-21T14:00:00Z' })}\n`,
    );
    return { home, ids };
  };

  const rename = (home: string, id: string, name: string): Promise<void> =>
    fs.appendFile(
      nodePath.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id, thread_name: name, updated_at: '2026-11-21T15:00:00Z' })}\n`,
    );

  /** `use` of an index (in `dir` of the temp folder) with `home` caught up, closed after. */
  const withIndexOf = async <A>(home: string, dir: string, use: (store: LmdbIndexStore) => Promise<A>): Promise<A> => {
    const store = right(await openLmdbIndex(nodePath.join(tmp(), dir))());
    try {
      right(await catchUpHome(store, home)());
      return await use(store);
    } finally {
      right(await store.close()());
    }
  };

  /** A fresh index of the home, its thread rows. */
  const rebuiltThreads = (home: string): Promise<string> =>
    withIndexOf(home, `rebuilt-${nodePath.basename(home)}`, threadsOf);

  it('two renames (one of a named thread, one of an unnamed): their rows redone, the others not; the rows a fresh index gives', async () => {
    const { home, ids } = await homeOf('renames');
    await withIndexOf(home, 'index', async (store) => {
      await rename(home, ids[0]!, 'renamed');
      await rename(home, ids[7]!, 'named at last');
      const c = counting(store);
      right(await catchUpHome(c.store, home)());
      expect(right(await store.get('threads', [ids[0]!])())!.name).to.equal('renamed');
      expect(right(await store.get('threads', [ids[7]!])())!.name).to.equal('named at last');
      // Each of the two rows reads its rollout row (and its base's, none here); a full refresh reads all 40.
      expect(c.rolloutReads())
        .to.be.at.least(2)
        .and.below(THREADS / 4);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
      // Nothing changed since: nothing redone.
      const again = counting(store);
      right(await catchUpHome(again.store, home)());
      expect(again.rolloutReads()).to.equal(0);
    });
  });

  it('a rename with the configured provider changed too: every row redone, as a fresh index gives them', async () => {
    const { home, ids } = await homeOf('provider');
    await withIndexOf(home, 'index-provider', async (store) => {
      await rename(home, ids[3]!, 'renamed');
      await fs.writeFile(nodePath.join(home, 'config.toml'), 'model_provider = "elsewhere"\n');
      const c = counting(store);
      right(await catchUpHome(c.store, home)());
      expect(c.rolloutReads()).to.be.at.least(THREADS);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
    });
  });

  /** A state DB as a Codex that ran every thread of the home leaves it: live rows (their times apart), which no line Codex writes moves in the facts. */
  const ranByCodex = (home: string, ids: ReadonlyArray<string>): void => {
    const db = openSqlite(nodePath.join(home, 'state_5.sqlite'), { mustExist: false });
    db.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER)');
    for (const id of ids) db.prepare('INSERT INTO threads VALUES (?, 5000, 1)').run(id);
    db.close();
  };

  it("Codex began a session (its file, its row) and re-dated another thread's row: a new process's whole-home catch-up redoes those two rows, not every row; the rows a fresh index gives", async () => {
    const { home, ids } = await homeOf('began');
    ranByCodex(home, ids);
    // Built by another process: this one knows the rows' facts only from what the index kept.
    await withIndexOf(home, 'index-began', async () => undefined);
    const began = newThread(700);
    await writeSynthThread(home, began, 1);
    const db = openSqlite(nodePath.join(home, 'state_5.sqlite'));
    db.prepare('INSERT INTO threads VALUES (?, 9000, 2)').run(began.threadId);
    // A row Codex took again from its file (a reconcile): one reading, no longer live.
    db.prepare('UPDATE threads SET updated_at_ms = 7000, recency_at_ms = 7000 WHERE id = ?').run(ids[5]!);
    db.close();
    const store = right(await openLmdbIndex(nodePath.join(tmp(), 'index-began'))());
    try {
      const c = counting(store);
      right(await catchUpHome(c.store, home)());
      // The begun thread's row and the re-dated one's; before, every row (Codex's rows moved).
      expect(c.rolloutReads())
        .to.be.at.least(2)
        .and.below(THREADS / 4);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
    } finally {
      right(await store.close()());
    }
  });

  it("a whole home's catch-up after files grew, began, went or moved: those threads' rows redone, not every row; the rows a fresh index gives", async () => {
    const { home, ids } = await homeOf('grown');
    ranByCodex(home, ids);
    await withIndexOf(home, 'index-grown', async (store) => {
      const grown = newThread(500 + 3);
      await fs.appendFile(
        nodePath.join(home, rolloutRelPath(grown.threadId)),
        threadLines(grown, 2)
          .slice(threadLines(grown, 1).length)
          .map((l) => `${l}\n`)
          .join(''),
      );
      const begun = newThread(600);
      await writeSynthThread(home, begun, 1);
      await rename(home, ids[9]!, 'renamed beside');
      const c = counting(store);
      right(await catchUpHome(c.store, home)());
      expect(right(await store.get('threads', [begun.threadId])())).to.not.equal(undefined);
      // (A paginated thread's name is its state-DB row's, none here: the rename moves its row's session_index name.)
      expect(right(await store.get('threads', [ids[9]!])())!.sessionIndexName).to.equal('renamed beside');
      expect(c.rolloutReads())
        .to.be.at.least(3)
        .and.below(THREADS / 4);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
      // A file gone (deleted) and one moved (archived): their threads' rows alone, as a fresh index gives them.
      await fs.rm(nodePath.join(home, rolloutRelPath(ids[20]!)));
      const archived = nodePath.join(home, 'archived_sessions', nodePath.basename(rolloutRelPath(ids[21]!)));
      await fs.mkdir(nodePath.dirname(archived), { recursive: true });
      await fs.rename(nodePath.join(home, rolloutRelPath(ids[21]!)), archived);
      const gone = counting(store);
      right(await catchUpHome(gone.store, home)());
      expect(right(await store.get('threads', [ids[20]!])())).to.equal(undefined);
      expect(right(await store.get('threads', [ids[21]!])())!.archived).to.equal(true);
      expect(gone.rolloutReads()).to.be.below(THREADS / 4);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
    });
  });

  /**
   * `serve`'s home watch vouching for the files, and telling a change of session_index.jsonl (a
   * scripted watch: homeWatch.int.spec.ts shows the real one telling it apart). Its refresh follows
   * the names without a catch-up of the whole home, unless more than names changed.
   */
  it("serve's watch: a rename alone is followed without a whole-home catch-up; with the provider changed too, the whole home is", async () => {
    const { home, ids } = await homeOf('watched');
    await withIndexOf(home, 'index-watched', async (store) => {
      const c = counting(store);
      const { watch, caughtUp, indexer } = watchedIndexer(c.store, home);
      right(await indexer.refreshAll()());
      expect(caughtUp).to.deep.equal([]);
      await rename(home, ids[5]!, 'renamed beside serve');
      watch.namesChanged();
      right(await indexer.refreshAll()());
      expect(caughtUp).to.deep.equal([0]);
      expect(right(await store.get('threads', [ids[5]!])())!.name).to.equal('renamed beside serve');
      expect(c.rolloutReads())
        .to.be.at.least(1)
        .and.below(THREADS / 4);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
      // The digests it wrote are a full refresh's: a whole-home catch-up after it redoes nothing.
      const again = counting(store);
      right(await catchUpHome(again.store, home)());
      expect(again.rolloutReads()).to.equal(0);

      await rename(home, ids[6]!, 'renamed with the provider');
      await fs.writeFile(nodePath.join(home, 'config.toml'), 'model_provider = "elsewhere"\n');
      watch.namesChanged();
      right(await indexer.refreshAll()());
      expect(caughtUp).to.deep.equal([0, 'all']);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
    });
  });

  /** The store, with its scans of the thread rows counted (one object: what this process derived its rows with is kept by it). */
  const scanCounting = (store: IndexStore): { readonly store: IndexStore; readonly threadScans: () => number } => {
    let scans = 0;
    return {
      store: {
        ...store,
        scan: (table, prefix, each) => {
          if (table === 'threads') scans += 1;
          return store.scan(table, prefix, each);
        },
      },
      threadScans: () => scans,
    };
  };

  it('a process that derived the rows finds the renamed threads from the names it derived them with, reading no other row; another process compares every row', async () => {
    const { home, ids } = await homeOf('diffed');
    await withIndexOf(home, 'index-diffed', async (store) => {
      const own = scanCounting(store);
      right(await catchUpHome(own.store, home)());
      await rename(home, ids[0]!, 'renamed');
      await rename(home, ids[13]!, 'named at last');
      right(await catchUpHome(own.store, home)());
      expect(right(await store.get('threads', [ids[0]!])())!.name).to.equal('renamed');
      expect(right(await store.get('threads', [ids[13]!])())!.name).to.equal('named at last');
      expect(own.threadScans()).to.equal(0);
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
      // Another process (no names of its own) compares every row.
      await rename(home, ids[14]!, 'renamed elsewhere');
      const other = scanCounting(store);
      right(await catchUpHome(other.store, home)());
      expect(other.threadScans()).to.equal(1);
      expect(right(await store.get('threads', [ids[14]!])())!.name).to.equal('renamed elsewhere');
    });
  });

  it('rows another process derived since from other names: the digest it wrote is not the one this process derived at, so every row is compared', async () => {
    const { home, ids } = await homeOf('stale');
    await withIndexOf(home, 'index-stale', async (store) => {
      const own = scanCounting(store);
      right(await catchUpHome(own.store, home)());
      // Another process follows a rename; then the name goes back to what this process derived with.
      await rename(home, ids[2]!, 'for a while');
      right(await catchUpHome({ ...store }, home)());
      expect(right(await store.get('threads', [ids[2]!])())!.name).to.equal('for a while');
      await rename(home, ids[2]!, 'back');
      await rename(home, ids[0]!, 'first');
      right(await catchUpHome(own.store, home)());
      // Its names say the row of ids[0] is as derived; only a comparison of the rows finds ids[2]'s.
      expect(own.threadScans()).to.equal(1);
      expect(right(await store.get('threads', [ids[2]!])())!.name).to.equal('back');
      expect(await threadsOf(store)).to.equal(await rebuiltThreads(home));
    });
  });

  it('a read of one thread without a watch (the CLI) answers the name it has now: its row alone redone', async () => {
    const { home, ids } = await homeOf('read');
    await withIndexOf(home, 'index-read', async (store) => {
      await rename(home, ids[9]!, 'read after a rename');
      await rename(home, ids[10]!, 'not read');
      const c = counting(store);
      const handed = right(await lmdbHistoryIndexer(c.store, home).refreshThread(ids[9]!)());
      expect(right(await store.get('threads', [ids[9]!])())!.name).to.equal('read after a rename');
      expect(right(await store.get('threads', [ids[10]!])())!.name).to.equal(null);
      expect(c.rolloutReads()).to.equal(1);
      // The lineage the read answers from (the one handed on, else loaded, as openThread does) names it too.
      const readFrom = handed ?? (await loadLineage(store, ids[9]!));
      expect(readFrom?.thread.name).to.equal('read after a rename');
      // Read again, nothing changed: nothing redone, and the check's lineage handed on.
      const again = counting(store);
      const fresh = right(await lmdbHistoryIndexer(again.store, home).refreshThread(ids[9]!)());
      expect(again.rolloutReads()).to.equal(0);
      expect(fresh?.thread.name).to.equal('read after a rename');
    });
  });

  it("serve's watch: a read after a rename the watch saw answers the new name, from the lineage it hands on or loads", async () => {
    const { home, ids } = await homeOf('watched-read');
    await withIndexOf(home, 'index-watched-read', async (store) => {
      const { watch, indexer } = watchedIndexer(store, home);
      right(await indexer.refreshAll()());
      await rename(home, ids[12]!, 'renamed beside a read');
      watch.namesChanged();
      const handed = right(await indexer.refreshThread(ids[12]!)());
      expect((handed ?? (await loadLineage(store, ids[12]!)))?.thread.name).to.equal('renamed beside a read');
    });
  });

  it('a commit made while the check runs (another request following a name) is not answered past: the lineage is loaded again', async () => {
    const { home, ids } = await homeOf('raced');
    await withIndexOf(home, 'index-raced', async (store) => {
      // Scripted: the check's first read of a checkpoint (after it read the thread's rows) waits for another request's follow of a rename.
      let raced = false;
      const racing: IndexStore = {
        ...store,
        get: (table, key) =>
          table === 'files' && !raced
            ? async () => {
                raced = true;
                await rename(home, ids[11]!, 'renamed meanwhile');
                right(await lmdbHistoryIndexer(store, home).refreshThread(ids[11]!)());
                return store.get(table, key)();
              }
            : store.get(table, key),
      };
      const handed = right(await lmdbHistoryIndexer(racing, home).refreshThread(ids[11]!)());
      expect(raced).to.equal(true);
      expect((handed ?? (await loadLineage(store, ids[11]!)))?.thread.name).to.equal('renamed meanwhile');
    });
  });
});
