// A whole-home catch-up settles its unchanged files before it probes and plans the rest
// (indexer/catchUp/settleUnchanged.ts). Whatever the home did since the last catch-up, the index
// it leaves and the summary it gives are those of the plan over every file (the path of a store
// with no synchronous view), from the same index and the same home.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import type { IndexStore } from '../../domain/ports.js';
import { ROWS_BETWEEN_UNMAPS } from '../../domain/ports.js';
import type { IndexReader } from '../../domain/index/rows.js';
import type { RolloutFile } from '../../domain/rollout/rolloutFile.js';
import { listRolloutHome } from '../../adapters/driven/jsonl/home/discover.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { settleUnchanged } from '../../indexer/catchUp/settleUnchanged.js';
import type { CatchUpOptions, CatchUpSummary } from '../../indexer/catchUp/catchUp.js';
import { right } from '../fixtures/right.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';

const A = '01a1fe87-0000-7000-8000-00000005e701';
const B = '01a1fe87-0000-7000-8000-00000005e702';
const C = '01a1fe87-0000-7000-8000-00000005e703';
const D = '01a1fe87-0000-7000-8000-00000005e704';
/** Named for M, its meta says B's twin thread N: reported as mismatched at every catch-up. */
const M = '01a1fe87-0000-7000-8000-00000005e705';
const N = '01a1fe87-0000-7000-8000-00000005e706';
/** Its first line is not UTF-8: unreadable at every catch-up (probe.ts `firstLineOf`; a line that is no rollout line is read under its name's id). */
const U = '01a1fe87-0000-7000-8000-00000005e707';

const dayDir = (home: string): string => nodePath.join(home, 'sessions', '2026', '11', '21');
const archivedPath = (home: string, id: string): string => nodePath.join(home, 'archived_sessions', rolloutName(id));
const activePath = (home: string, id: string): string => nodePath.join(dayDir(home), rolloutName(id));

const copyTo = (from: string, to: string): void => {
  fs.mkdirSync(nodePath.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
};

/** The checkpoints a catch-up continues from: a full one's, or the token projection's caught up alone. */
type CheckpointTable = 'files' | 'tokenFiles';

/**
 * An index that broke the one-winner rule: a second checkpoint holding A's rows, at a path gone
 * from the home. The plan clears A's rows with it and indexes A's file again, so A is planned too.
 */
const strayCheckpoint = async (home: string, indexDir: string, table: CheckpointTable): Promise<void> => {
  const store = right(await openLmdbIndex(indexDir)());
  try {
    const cp = right(await store.get(table, [activePath(home, A)])())!;
    const path = nodePath.join(dayDir(home), rolloutName(D));
    right(await store.commit(() => [{ op: 'put', table, key: [path], value: { ...cp, path } }])());
  } finally {
    right(await store.close()());
  }
};

/** What the home (or its index) does between the first catch-up and the compared one. */
const CHANGES: ReadonlyArray<
  readonly [string, (home: string, indexDir: string, table: CheckpointTable) => void | Promise<void>]
> = [
  ['nothing', () => undefined],
  ['an unchanged file copied to archived_sessions', (h) => copyTo(activePath(h, A), archivedPath(h, A))],
  [
    'an unchanged file moved to archived_sessions',
    (h) => {
      copyTo(activePath(h, A), archivedPath(h, A));
      fs.unlinkSync(activePath(h, A));
    },
  ],
  ['a file deleted', (h) => fs.unlinkSync(activePath(h, B))],
  ['a file grown', (h) => writeRollout(h, rolloutName(C), chatThread('paginated', C, 3).text())],
  ['a new thread', (h) => writeRollout(h, rolloutName(D), chatThread('paginated', D, 1).text())],
  [
    "a new file under another name holding an unchanged file's thread",
    (h) => writeRollout(h, rolloutName(D), chatThread('paginated', A, 2).text()),
  ],
  ['the unreadable file removed', (h) => fs.unlinkSync(activePath(h, U))],
  ["a checkpoint of a gone file holding an unchanged file's rows", strayCheckpoint],
];

const summaryOf = (s: CatchUpSummary): Omit<CatchUpSummary, 'seconds' | 'readerThread'> => {
  const { seconds: _s, readerThread: _r, ...rest } = s;
  return rest;
};

/** The store as one without a synchronous view: its catch-up plans every file. */
const withoutView = (store: IndexStore): IndexStore => {
  const { reader: _reader, ...rest } = store;
  return rest;
};

const caughtUp = async (
  home: string,
  indexDir: string,
  view: boolean,
  options: CatchUpOptions = {},
): Promise<{ summary: CatchUpSummary; dump: string; settledFirst: number }> => {
  const store = right(await openLmdbIndex(indexDir)());
  try {
    // The files done when the plan is made: those settled before it.
    let settledFirst = -1;
    const summary = right(
      await catchUpHome(view ? store : withoutView(store), home, {
        ...options,
        onProgress: (p) => {
          if (p.stage === 'planned') settledFirst = p.filesDone;
        },
      })(),
    );
    return { summary, dump: JSON.stringify(right(await store.dump()())), settledFirst };
  } finally {
    right(await store.close()());
  }
};

describe('a whole-home catch-up that settles its unchanged files', function () {
  this.timeout(120_000);
  const tmp = useTempDir('settle-unchanged-');

  const baseHome = (root: string): string => {
    const home = nodePath.join(root, 'home');
    for (const id of [A, B, C]) writeRollout(home, rolloutName(id), chatThread('paginated', id, 2).text());
    writeRollout(home, rolloutName(M), chatThread('paginated', N, 1).text());
    writeRollout(home, rolloutName(U), '');
    fs.writeFileSync(activePath(home, U), Buffer.from([0xff, 0xfe, 0x0a]));
    // A duplicate from the start: its checkpoint names the winner, and it is planned at every catch-up.
    copyTo(activePath(home, B), archivedPath(home, B));
    return home;
  };

  /**
   * How the index was caught up before the change, and how the compared catch-ups run: whole
   * (`full`), whole after the token rows of a grown file were caught up alone (`tokensAhead`), or
   * the token projection alone each time (`tokensAlone`: a home only `tokens` reports read, whose
   * files settle by the token checkpoints).
   */
  const RUNS = ['full', 'tokensAhead', 'tokensAlone'] as const;
  for (const [what, change] of CHANGES)
    for (const run of RUNS)
      it(`${what}${run === 'tokensAhead' ? ', the token rows of a grown file caught up alone before' : run === 'tokensAlone' ? ', the token projection caught up alone' : ''}: the index and summary of the plan over every file`, async function () {
        const root = fs.mkdtempSync(nodePath.join(tmp(), 'home-'));
        const home = baseHome(root);
        const first = nodePath.join(root, 'first');
        const options: CatchUpOptions = run === 'tokensAlone' ? { subset: 'tokens' } : {};
        await caughtUp(home, first, true, options);
        if (run === 'tokensAhead') {
          writeRollout(home, rolloutName(A), chatThread('paginated', A, 4).text());
          await caughtUp(home, first, true, { subset: 'tokens' });
        }
        await change(home, first, run === 'tokensAlone' ? 'tokenFiles' : 'files');
        const settled = nodePath.join(root, 'settled');
        const planned = nodePath.join(root, 'planned');
        fs.cpSync(first, settled, { recursive: true });
        fs.cpSync(first, planned, { recursive: true });
        const a = await caughtUp(home, settled, true, options);
        const b = await caughtUp(home, planned, false, options);
        expect(summaryOf(a.summary)).to.deep.equal(summaryOf(b.summary));
        expect(a.dump).to.equal(b.dump);
        // Settled first: A and C, each unless the change touched it (B is its archived duplicate's winner, M
        // mismatched, U unreadable: planned at every catch-up); none where every file is planned.
        const touchesA = run === 'tokensAhead' || /copied to|moved to|another name|gone file/.test(what);
        expect(a.settledFirst).to.equal(2 - Number(touchesA) - Number(what === 'a file grown'));
        expect(b.settledFirst).to.equal(0);
      });
});

describe("the settle pass's reads of the `files` table", function () {
  this.timeout(120_000);
  const tmp = useTempDir('settle-reads-');

  /** `reader` with its reads of the `files` table's keys counted. */
  const countingKeys = (reader: IndexReader): { reader: IndexReader; keyReads: () => number } => {
    let n = 0;
    return {
      reader: {
        ...reader,
        keys: (table, prefix) => {
          if (table === 'files') n += 1;
          return reader.keys(table, prefix);
        },
      },
      keyReads: () => n,
    };
  };

  it("looks for the checkpoints of files gone among the table's keys only when it holds more rows than the listed files have", async () => {
    const root = tmp();
    const home = nodePath.join(root, 'home');
    for (const id of [A, B, C]) writeRollout(home, rolloutName(id), chatThread('paginated', id, 2).text());
    const indexDir = nodePath.join(root, 'index');
    await caughtUp(home, indexDir, true);
    const settle = async (): Promise<{ keyReads: number; cps: string[]; settled: number }> => {
      const store = right(await openLmdbIndex(indexDir)());
      try {
        const listed = right(await listRolloutHome(home, false)());
        const counted = countingKeys(store.reader);
        const s = await settleUnchanged(counted.reader, listed.files, { subset: 'all', tokenCps: new Map() }, {});
        return { keyReads: counted.keyReads(), cps: [...s.cps.keys()], settled: s.byRollout.size };
      } finally {
        right(await store.close()());
      }
    };
    // Every checkpoint a listed file's: no key read, nothing gone.
    expect(await settle()).to.deep.equal({ keyReads: 0, cps: [], settled: 3 });
    // A file gone: its checkpoint is found among the keys, for the plan.
    fs.unlinkSync(activePath(home, B));
    expect(await settle()).to.deep.equal({ keyReads: 1, cps: [activePath(home, B)], settled: 2 });
  });

  it('unmaps the index every ROWS_BETWEEN_UNMAPS checkpoints it reads, and once it has read them all', async () => {
    const files: RolloutFile[] = Array.from({ length: 2 * ROWS_BETWEEN_UNMAPS + 1 }, (_, i) => ({
      path: `/nowhere/rollout-${i}.jsonl`,
      archived: false,
      fileTimestamp: '2026-11-21T00:00:00.000Z',
      threadId: A,
    }));
    const gets: number[] = [];
    let got = 0;
    const reader: IndexReader = {
      get: (() => void (got += 1)) as IndexReader['get'],
      keys: () => [],
      count: () => 0,
    };
    const s = await settleUnchanged(
      reader,
      files,
      { subset: 'all', tokenCps: new Map() },
      {},
      () => void gets.push(got),
    );
    expect(gets).to.deep.equal([ROWS_BETWEEN_UNMAPS, 2 * ROWS_BETWEEN_UNMAPS, files.length]);
    expect(s.rest).to.have.length(files.length);
  });
});
