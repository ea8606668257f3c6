import { writeSynthThread } from '../fixtures/synthHome.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { memoryIndex } from '../../projections/batch.js';
import { refreshThreadRows } from '../../projections/threadRows.js';
import type { FileCheckpoint, IndexWrite, TableName } from '../../domain/index/rows.js';
import { newThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { commitsReadingThrough } from '../fixtures/countedReads.js';
import { DEFAULT_MODEL_PROVIDER } from '../../adapters/driven/fs/codexConfig.js';
import { backfilledRowsOf, readThreadRowHome, refreshThreads } from '../../indexer/catchUp/threadRowRefresh.js';

describe('thread rows of a large catch-up (a chunk of threads per commit, remapped between)', function () {
  this.timeout(120_000);
  let home: string;
  let dir: string;
  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-chunks-'));
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-chunks-'));
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives every thread the row one transaction over the whole index gives; a thread whose file goes loses its row', async () => {
    // More threads than one thread-row commit takes (256).
    const paths: string[] = [];
    for (let i = 0; i < 300; i++) {
      const t = newThread(5000 + i, i % 3 === 0 ? 'legacy' : 'paginated');
      const p = await writeSynthThread(home, t, 1);
      paths.push(p);
    }
    const store = right(await openLmdbIndex(dir)());
    try {
      // Rows of threads without a file are found outside the write transactions: a walk of the
      // threads table inside one left every page of it mapped until the commit.
      let walkedInCommit = 0;
      const counting = commitsReadingThrough(store, (reader) => ({
        ...reader,
        keys: (table, prefix) => {
          if (table === 'threads') walkedInCommit += 1;
          return reader.keys(table, prefix);
        },
      }));
      right(await catchUpHome(counting, home)());
      expect(walkedInCommit).to.equal(0);
      const rows = right(await store.dump()());
      const threadRows = rows.filter((r) => r.table === 'threads');
      expect(threadRows).to.have.length(300);

      // The same rows derived in one go from everything else the index holds.
      const others = memoryIndex();
      others.apply(
        rows
          .filter((r) => r.table !== 'threads' && r.table !== 'threadOrder')
          .map((r): IndexWrite => ({
            op: 'put',
            table: r.table as TableName,
            key: r.key as never,
            value: r.value as never,
          })),
      );
      const files = rows
        .filter((r) => r.table === 'files')
        .map((r) => r.value as FileCheckpoint)
        .map((c) => ({
          path: c.path,
          archived: c.archived,
          fileTimestamp: c.fileTimestamp,
          threadId: c.threadId!,
          rolloutId: c.rolloutId!,
          mtimeMs: c.mtimeMs,
        }));
      // No state DB in the home: the rows Codex's backfill will write.
      const codexRows = backfilledRowsOf(
        home,
        rows.filter((r) => r.table === 'files').map((r) => r.value as FileCheckpoint),
      );
      const expected = refreshThreadRows(others, files, {
        names: new Map(),
        defaultModelProvider: DEFAULT_MODEL_PROVIDER,
        codexRows,
        stateDbNames: new Map(),
      });
      const byKey = (a: { key: unknown }, b: { key: unknown }) => (String(a.key) < String(b.key) ? -1 : 1);
      // The thread rows and their list order keys.
      expect(
        expected.map((w) => ({ table: w.table, key: w.key, value: w.op === 'put' ? w.value : undefined })).sort(byKey),
      ).to.deep.equal(
        rows
          .filter((r) => r.table === 'threads' || r.table === 'threadOrder')
          .map((r) => ({ table: r.table, key: r.key, value: r.value }))
          .sort(byKey),
      );

      await fs.rm(paths[7]!);
      right(await catchUpHome(counting, home)());
      expect(walkedInCommit).to.equal(0);
      const after = right(await store.dump()()).filter((r) => r.table === 'threads');
      expect(after).to.have.length(299);
      // A full refresh (facts moved, an interrupted catch-up) drops a row whose thread has no file.
      const stale = { ...(after[0]!.value as Record<string, unknown>), path: paths[7]! };
      right(
        await store.commit(() => [{ op: 'put', table: 'threads', key: ['stale-thread'], value: stale as never }])(),
      );
      right(await refreshThreads(counting, right(await readThreadRowHome(home, store)), undefined));
      expect(walkedInCommit).to.equal(0);
      const refreshed = right(await store.dump()()).filter((r) => r.table === 'threads');
      expect(refreshed.map((r) => r.key)).to.deep.equal(after.map((r) => r.key));
      // The others keep their rows but for their times: without the file, Codex's backfill allocates
      // the later files' times against other marks (domain/thread/backfillTimes.ts).
      const timeless = (r: { key: unknown; value: unknown }) => {
        const { updatedAt: _u, recencyAt: _r, sortMs: _s, ...rest } = r.value as Record<string, unknown>;
        return { key: r.key, value: rest };
      };
      expect(after.map(timeless)).to.deep.equal(
        threadRows.filter((r) => !paths[7]!.includes(String((r.key as unknown[])[0]))).map(timeless),
      );
    } finally {
      right(await store.close()());
    }
  });
});
