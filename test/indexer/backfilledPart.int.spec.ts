import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { threadRowsAsRefreshed } from '../../indexer/catchUp/catchUpThreadRows.js';
import type { IndexStore } from '../../domain/ports.js';
import { newThread } from '../projections/synth.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { writeSynthThread } from '../fixtures/synthHome.js';
import { right } from '../fixtures/right.js';

/*
 * A home without a Codex state DB: the check of the thread rows' facts takes the part Codex's
 * backfill would write from the files (threadRowFacts.ts `BackfilledPart`) as kept, while no
 * checkpoint moved, instead of reading every checkpoint at each process's start (0.68 s of a
 * serve's first thread/list on 71,805 files). Counted as the scans of the checkpoints.
 */
const THREADS = 12;
const PART_KEY = ['threadBackfilledPart'] as const;

/** The store, with its scans of the file checkpoints counted, and `afterScan` run once a scan of them ends. */
const scanCounting = (
  store: IndexStore,
  afterScan: () => Promise<void> = async () => undefined,
): { readonly store: IndexStore; readonly fileScans: () => number } => {
  let scans = 0;
  return {
    store: {
      ...store,
      scan: (table, prefix, each) => async () => {
        const r = await store.scan(table, prefix, each)();
        if (table === 'files') {
          scans += 1;
          await afterScan();
        }
        return r;
      },
    },
    fileScans: () => scans,
  };
};

describe("a home without a state DB: the backfill's part of the facts kept while no checkpoint moves", function () {
  this.timeout(120_000);
  const tmp = useTempDir('backfilled-part-');

  const homeOf = async (name: string): Promise<{ home: string; paths: string[] }> => {
    const home = nodePath.join(tmp(), name);
    const paths: string[] = [];
    for (let i = 0; i < THREADS; i++) paths.push(await writeSynthThread(home, newThread(700 + i), 2));
    return { home, paths };
  };

  const withIndex = async <A>(dir: string, use: (store: LmdbIndexStore) => Promise<A>): Promise<A> => {
    const store = right(await openLmdbIndex(nodePath.join(tmp(), dir))());
    try {
      return await use(store);
    } finally {
      right(await store.close()());
    }
  };

  const keptPart = async (store: IndexStore): Promise<unknown> => right(await store.get('meta', [...PART_KEY])());

  /** One checkpoint written again as it is: what any catch-up's write of a checkpoint does to what they vouch for. */
  const writeCheckpoint = async (store: IndexStore, path: string): Promise<void> => {
    right(
      await store.commit((reader) => [
        { op: 'put', table: 'files', key: [path], value: reader.get('files', [path])! },
      ])(),
    );
  };

  it('a whole-home catch-up that changed no file keeps it (a no-op `index`), and the checks after read no checkpoint and answer as reading them does', async () => {
    const { home } = await homeOf('kept');
    await withIndex('ix-kept', async (store) => {
      right(await catchUpHome(store, home)());
      // One that wrote checkpoints leaves it to the next check (two commits more, each synced).
      expect(await keptPart(store)).to.equal(undefined);
      right(await catchUpHome({ ...store }, home)());
      const kept = (await keptPart(store)) as { part?: unknown } | undefined;
      expect(kept?.part).to.be.a('string');
      const c = scanCounting(store);
      expect(right(await threadRowsAsRefreshed(c.store, home))).to.equal(true);
      // A rename moves the facts: told from the kept part too.
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        `${JSON.stringify({ id: newThread(703).threadId, thread_name: 'renamed', updated_at: '2026-11-21T15:00:00Z' })}\n`,
      );
      expect(right(await threadRowsAsRefreshed(c.store, home))).to.equal(false);
      expect(c.fileScans()).to.equal(0);
      // The part is the one a check on a fresh index of the home keeps.
      await withIndex('ix-kept-fresh', async (fresh) => {
        right(await catchUpHome(fresh, home)());
        right(await threadRowsAsRefreshed(fresh, home));
        expect(await keptPart(fresh)).to.deep.equal(kept);
      });
    });
  });

  it('a checkpoint written drops it: the next check reads them once and keeps it again', async () => {
    const { home, paths } = await homeOf('dropped');
    await withIndex('ix-dropped', async (store) => {
      right(await catchUpHome(store, home)());
      right(await threadRowsAsRefreshed(store, home));
      const kept = (await keptPart(store)) as { part?: unknown } | undefined;
      expect(kept?.part).to.be.a('string');
      // Codex appends to one session; a catch-up of the home writes its checkpoint.
      await fs.appendFile(
        paths[4]!,
        `${JSON.stringify({ timestamp: '2026-11-21T16:00:00.000Z', type: 'event_msg', payload: { type: 'agent_message', message: 'more' } })}\n`,
      );
      right(await catchUpHome({ ...store }, home)());
      expect(await keptPart(store)).to.equal(undefined);
      const c = scanCounting(store);
      expect(right(await threadRowsAsRefreshed(c.store, home))).to.equal(true);
      expect(right(await threadRowsAsRefreshed(c.store, home))).to.equal(true);
      expect(c.fileScans()).to.equal(1);
      const again = (await keptPart(store)) as { part?: unknown } | undefined;
      expect(again?.part).to.be.a('string').and.not.equal(kept?.part);
      // Any checkpoint written drops it.
      await writeCheckpoint(store, paths[0]!);
      expect(await keptPart(store)).to.equal(undefined);
    });
  });

  it('a checkpoint written while a check reads them: the part it read is not kept', async () => {
    const { home, paths } = await homeOf('raced');
    await withIndex('ix-raced', async (store) => {
      right(await catchUpHome(store, home)());
      await writeCheckpoint(store, paths[0]!);
      // Another catch-up commits a checkpoint between this check's read of them and its keeping.
      const c = scanCounting(store, () => writeCheckpoint(store, paths[1]!));
      expect(right(await threadRowsAsRefreshed(c.store, home))).to.equal(true);
      expect(c.fileScans()).to.equal(1);
      expect(await keptPart(store)).to.equal(undefined);
      // Read again with nothing written meanwhile: kept.
      expect(right(await threadRowsAsRefreshed(store, home))).to.equal(true);
      expect(((await keptPart(store)) as { part?: unknown } | undefined)?.part).to.be.a('string');
    });
  });
});
