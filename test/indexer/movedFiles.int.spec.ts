// A file moved (archived, unarchived) while the index is caught up path by path, as a watch reports
// it: the two paths arrive in either order, or only one. The index must end as a fresh build of the
// home, and stay so through a whole-home catch-up (which finds every file unchanged and so redoes
// no thread row: a row a path-by-path catch-up left wrong would stay wrong). Each catch-up looks at
// the moved thread's files, found from either end (indexer/catchUp/catchUp.ts `widened`), not the home's.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { RolloutFile } from '../../domain/rollout/rolloutFile.js';
import type { FileCheckpoint, IndexWrite, TableName } from '../../domain/index/rows.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { memoryIndex } from '../../projections/batch.js';
import { dropThreadRowsWithout } from '../../projections/threadRows.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

const T = '01a1fe87-0000-7000-8000-0000000e1001';
const U = '01a1fe87-0000-7000-8000-0000000e1002';

/** Threads beside the moved one, none of whose files a move touches. */
const OTHERS = [3, 4, 5, 6].map((i) => `01a1fe87-0000-7000-8000-0000000e100${i}`);

/** The index's rows after catching up `steps` (each given files, or `[]` the whole home), and how many files each step looked at. */
const caughtUp = async (
  home: string,
  indexDir: string,
  steps: ReadonlyArray<ReadonlyArray<string>>,
): Promise<{ readonly dump: string; readonly files: number[] }> => {
  const store = right(await openLmdbIndex(indexDir)());
  try {
    const fileAt = (path: string): RolloutFile => ({
      path,
      archived: path.includes('archived_sessions'),
      fileTimestamp: '2026-11-21T14:00:00Z',
      threadId: U,
    });
    const files: number[] = [];
    for (const paths of steps)
      files.push(right(await catchUpHome(store, home, paths.length === 0 ? {} : { files: paths.map(fileAt) })()).files);
    const rows = right(await store.dump()()).map((r) =>
      r.table === 'files' ? { ...r, value: { ...(r.value as object), mtimeMs: 0, ctimeMs: 0 } } : r,
    );
    return { dump: JSON.stringify(rows), files };
  } finally {
    right(await store.close()());
  }
};

const dumpOf = async (home: string, indexDir: string, steps: ReadonlyArray<ReadonlyArray<string>>): Promise<string> =>
  (await caughtUp(home, indexDir, steps)).dump;

describe('a moved file caught up path by path', function () {
  this.timeout(120_000);
  const tmp = useTempDir('moved-files-');

  for (const [mode, label] of [
    ['paginated', 'a paginated thread'],
    ['legacy', 'a legacy thread'],
  ] as const)
    for (const order of [['new', 'old'], ['old', 'new'], ['new'], ['old'], ['both']] as const)
      it(`${label}, archived then unarchived, told ${order.join(' then ')}: the index is a fresh build's, after a whole-home catch-up too`, async function () {
        const root = fs.mkdtempSync(nodePath.join(tmp(), `${mode}-${order.join('-')}-`));
        const home = nodePath.join(root, 'home');
        const active = writeRollout(home, rolloutName(U), chatThread(mode, U, 2).text());
        writeRollout(home, rolloutName(T), chatThread('paginated', T, 1).text());
        for (const id of OTHERS) writeRollout(home, rolloutName(id), chatThread('paginated', id, 1).text());
        const archived = nodePath.join(home, 'archived_sessions', rolloutName(U));
        const indexDir = nodePath.join(root, 'index');
        await dumpOf(home, indexDir, [[]]);
        for (const [from, to] of [
          [active, archived],
          [archived, active],
        ] as const) {
          fs.mkdirSync(nodePath.dirname(to), { recursive: true });
          fs.renameSync(from, to);
          const told = order.map((o) => (o === 'new' ? [to] : o === 'old' ? [from] : [to, from]));
          const fresh = await dumpOf(home, nodePath.join(root, `fresh-${nodePath.basename(nodePath.dirname(to))}`), [
            [],
          ]);
          const moved = await caughtUp(home, indexDir, told);
          expect(moved.dump, `moved to ${to}`).to.equal(fresh);
          // The moved thread's file at both ends, not the home's 6 (each path told: settled among them).
          for (const files of moved.files) expect(files, `moved to ${to}`).to.be.at.most(2);
          expect(await dumpOf(home, indexDir, [[]]), `moved to ${to}, then the whole home`).to.equal(fresh);
        }
      });

  it("a whole-home refresh that read the checkpoints before another catch-up indexed a thread's moved file keeps the row that catch-up derived", async function () {
    const root = fs.mkdtempSync(nodePath.join(tmp(), 'stale-live-'));
    const home = nodePath.join(root, 'home');
    writeRollout(home, rolloutName(U), chatThread('paginated', U, 1).text());
    writeRollout(home, rolloutName(T), chatThread('paginated', T, 1).text());
    const store = right(await openLmdbIndex(nodePath.join(root, 'index'))());
    let rows;
    try {
      right(await catchUpHome(store, home)());
      rows = right(await store.dump()());
    } finally {
      right(await store.close()());
    }
    const index = memoryIndex();
    index.apply(
      rows.map((r): IndexWrite => ({
        op: 'put',
        table: r.table as TableName,
        key: r.key as never,
        value: r.value as never,
      })),
    );
    // `live` read before U's file was indexed: U's row, naming its indexed file, stays; T's stays as live.
    expect(dropThreadRowsWithout(index, new Set([T]), [T, U])).to.deep.equal([]);
    // A row whose file is not indexed (its checkpoint records an error) goes, with its list order keys.
    const cp = rows.find((r) => r.table === 'files' && (r.value as FileCheckpoint).threadId === U)!;
    index.apply([
      {
        op: 'put',
        table: 'files',
        key: cp.key as never,
        value: { ...(cp.value as FileCheckpoint), error: 'unreadable' },
      },
    ]);
    const dropped = dropThreadRowsWithout(index, new Set([T]), [T, U]);
    expect(dropped.filter((w) => w.op === 'del' && w.table === 'threads').map((w) => w.key)).to.deep.equal([[U]]);
  });
});
