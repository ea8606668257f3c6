import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { LmdbIndexStore } from '../../adapters/driven/lmdb/indexStore.js';
import { listRolloutHome } from '../../adapters/driven/jsonl/home/discover.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { recordHomeStats, recordedHomeStats } from '../../indexer/catchUp/homeStatsRecord.js';
import { ReadingMark, markVouchedRead } from '../../indexer/catchUp/checkpointVouched.js';
import { HOME_STATS_KEY, homeStatsOf, recordedFilesOf } from '../../domain/index/homeStats.js';
import type { HomeStats } from '../../domain/index/homeStats.js';
import type { IndexStore } from '../../domain/ports.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { rolloutName, writeRollout } from '../replay/mutationHome.js';

/*
 * The home's stats a whole-home catch-up records (homeStatsRecord.ts `recordHomeStats`): each
 * listed file's from its committed checkpoint, read in pieces outside a transaction (a read of
 * them all in one mapped 194 MB of a 54,659-rollout index). A checkpoint another catch-up writes
 * meanwhile drops what stands under the key, and no record is written then: a record never
 * vouches for a checkpoint it did not read.
 */
/**
 * A record's folders as the check reads them: path, and each file's name with what settles it (the
 * folders' times are those of the listing it was given), by path: the home's roots are listed at
 * once, in the order their listings end.
 */
const shapeOf = (stats: HomeStats | undefined) =>
  stats === undefined
    ? undefined
    : {
        absent: stats.absent,
        folders: stats.folders
          .map((f) => {
            const { names, statOf } = recordedFilesOf(f);
            return [f.path, names.map((n, i) => [n, statOf(i)])] as const;
          })
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      };

const IDS = [1, 2, 3, 4, 5].map((i) => `01a30000-0000-7000-8000-00000000000${i}`);

describe('the home stats a whole-home catch-up records', function () {
  this.timeout(120_000);
  const tmp = useTempDir('home-stats-record-');
  let home: string;
  let store: LmdbIndexStore;

  beforeEach(async () => {
    home = fs.mkdtempSync(nodePath.join(tmp(), 'home-'));
    const paths = IDS.map((id, i) => {
      const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, 0, i) }).sessionMeta();
      for (let t = 0; t <= i; t++) w.chatTurn(`t${t}`, `question ${t}`, `answer ${t}`);
      return writeRollout(home, rolloutName(id), w.text());
    });
    // A copy of the first rollout: a duplicate, settled by its stat as its winner is.
    fs.mkdirSync(nodePath.join(home, 'archived_sessions'));
    fs.copyFileSync(paths[0]!, nodePath.join(home, 'archived_sessions', rolloutName(IDS[0]!)));
    store = right(await openLmdbIndex(fs.mkdtempSync(nodePath.join(tmp(), 'ix-')))());
    right(await catchUpHome(store, home)());
  });
  afterEach(async () => {
    right(await store.close()());
  });

  const listing = async () => right(await listRolloutHome(home, true)());

  it("records each file's stats as its committed checkpoint gives them, a copy's as its winner's", async () => {
    const recorded = await recordedHomeStats(store);
    const l = await listing();
    expect(shapeOf(recorded)).to.deep.equal(
      shapeOf(homeStatsOf(l.folders, l.absent, (p) => store.reader.get('files', [p]))),
    );
    // Five rollouts and the copy, each settled by a stat (none probed, none the whole home's).
    const stats = recorded!.folders.flatMap((f) => {
      const { names, statOf } = recordedFilesOf(f);
      return names.map((_, i) => typeof statOf(i));
    });
    expect(stats).to.deep.equal(Array<string>(6).fill('object'));
  });

  it('a checkpoint written by another catch-up while it reads: no record, and none left standing', async () => {
    right(await store.commit(() => [{ op: 'del', table: 'meta', key: [...HOME_STATS_KEY] }])());
    // The other catch-up's checkpoint lands between two of the record's reads.
    let landed = false;
    const racing: IndexStore = {
      ...store,
      range: (table, prefix, opts) => async () => {
        if (table === 'files' && !landed) {
          landed = true;
          const cp = store.reader.get('files', [(await listing()).files[0]!.path])!;
          right(await store.commit(() => [{ op: 'put', table: 'files', key: [cp.path], value: { ...cp } }])());
        }
        return store.range(table, prefix, opts)();
      },
    };
    const l = await listing();
    right(await recordHomeStats(racing, l, true));
    expect(landed).to.equal(true);
    expect(right(await store.get('meta', [...HOME_STATS_KEY])())).to.equal(undefined);
    // Undisturbed, it records.
    right(await recordHomeStats(store, l, true));
    expect(shapeOf(await recordedHomeStats(store))).to.deep.equal(
      shapeOf(homeStatsOf(l.folders, l.absent, (p) => store.reader.get('files', [p]))),
    );
  });

  it('a checkpoint moved while it reads, and another recording begun after that: only the later one records', async () => {
    right(await store.commit(() => [{ op: 'del', table: 'meta', key: [...HOME_STATS_KEY] }])());
    const l = await listing();
    // The later recording (b) marks the key, then waits at its read until the first one ended.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let marked!: () => void;
    const bMarked = new Promise<void>((resolve) => (marked = resolve));
    const bStore: IndexStore = {
      ...store,
      commit: (build) => async () => {
        const r = await store.commit(build)();
        marked();
        return r;
      },
      range: (table, prefix, opts) => async () => {
        if (table === 'files') await released;
        return store.range(table, prefix, opts)();
      },
    };
    let b: ReturnType<typeof recordHomeStats> | undefined;
    const aStore: IndexStore = {
      ...store,
      range: (table, prefix, opts) => async () => {
        if (table === 'files' && b === undefined) {
          // Another catch-up moves a checkpoint (its file's time), then records the home's stats.
          const cp = store.reader.get('files', [l.files[0]!.path])!;
          const moved = { ...cp, mtimeMs: cp.mtimeMs + 1000 };
          right(await store.commit(() => [{ op: 'put', table: 'files', key: [cp.path], value: moved }])());
          b = recordHomeStats(bStore, l, true);
          await bMarked;
        }
        return store.range(table, prefix, opts)();
      },
    };
    right(await recordHomeStats(aStore, l, true));
    // The first read the checkpoint before it moved: it keeps nothing, the later one's mark stands.
    expect(ReadingMark.is(right(await store.get('meta', [...HOME_STATS_KEY])()))).to.equal(true);
    release();
    right(await b!);
    expect(shapeOf(await recordedHomeStats(store))).to.deep.equal(
      shapeOf(homeStatsOf(l.folders, l.absent, (p) => store.reader.get('files', [p]))),
    );
  });

  it('what a recording left standing (its process ended) is no record: the next catch-up records, though it moved no checkpoint', async () => {
    right(await markVouchedRead(store, HOME_STATS_KEY));
    expect(await recordedHomeStats(store)).to.equal(undefined);
    const l = await listing();
    right(await recordHomeStats(store, l, false));
    expect(shapeOf(await recordedHomeStats(store))).to.deep.equal(
      shapeOf(homeStatsOf(l.folders, l.absent, (p) => store.reader.get('files', [p]))),
    );
  });
});
