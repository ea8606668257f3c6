import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { listThreads } from '../../replay/history/listThreads.js';
import type { ListThreadsQuery, ThreadListPage } from '../../replay/history/listThreads.js';
import { homeAsIndexed } from '../../indexer/catchUp/homeAsIndexed.js';
import { recordedHomeStats } from '../../indexer/catchUp/homeStatsRecord.js';
import type { IndexStore } from '../../domain/ports.js';
import { HOME_STATS_KEY } from '../../domain/index/homeStats.js';
import { act, newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import type { Action, SynthThread } from '../projections/synth.js';
import { right } from '../fixtures/right.js';
import { envelopeLess } from '../fixtures/earlyRollouts.js';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import type { IndexStatus } from '../../indexer/open/indexStatus.js';

/** The picker's page (as the TUI asks it), short enough that most threads are off it. */
const PAGE: ListThreadsQuery = { limit: 3, sortKey: 'updated_at', sourceKinds: ['cli', 'vscode'], archived: false };
const TURN: Action[] = ['startTurn', 'user', 'agent', 'complete'];

/*
 * A fresh serve (`backfill: 'background'`, watched) on a home indexed before answers its first
 * `thread/list` from the index without a start-up catch-up when the home's files and folders are
 * as its last whole-home catch-up recorded them (homeAsIndexed.ts: one stat a file and a folder);
 * otherwise it waits for that catch-up. Either way the page is the one an index built from the
 * home as it is gives. The list is asked as soon as the home is open; `early`: no catch-up ended
 * before it was answered (a catch-up that runs ends before the list that waits for it).
 */
describe('serve start-up and a CLI run: the first thread/list from the index when the home is as the index last saw it', function () {
  this.timeout(120_000);
  let home: string;
  let indexDir: string;
  let scratch: string;
  let threads: SynthThread[];

  const pathOf = (t: SynthThread): string => nodePath.join(home, rolloutRelPath(t.threadId));
  const append = (t: SynthThread, lines: string[]) => fs.appendFile(pathOf(t), lines.map((l) => `${l}\n`).join(''));

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'home-asidx-'));
    indexDir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ix-asidx-'));
    scratch = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'ref-asidx-'));
    // Six threads, thread i with i + 1 turns: the more turns, the later its last line (updated_at).
    // Each file last written at its last line, as a Codex writing it leaves it: with no Codex state
    // DB, a thread is dated by its file's mtime as Codex's backfill dates it (issue 69).
    threads = [];
    for (let i = 0; i < 6; i++) {
      const t = newThread(700 + i);
      threads.push(t);
      await fs.mkdir(nodePath.dirname(pathOf(t)), { recursive: true });
      const lines = threadLines(t, i + 1);
      await fs.writeFile(pathOf(t), lines.map((l) => `${l}\n`).join(''));
      const last = new Date((JSON.parse(lines[lines.length - 1]!) as { timestamp: string }).timestamp);
      await fs.utimes(pathOf(t), last, last);
    }
    // Indexed once, as `index` or an earlier serve leaves it.
    const built = right(await openCodexHome(home, indexDir, {}));
    await built.close();
  });
  afterEach(async () => {
    for (const dir of [home, indexDir, scratch]) await fs.rm(dir, { recursive: true, force: true });
  });

  /** What a fresh serve's check finds: the home's stats recorded, and the home as they say. */
  const asIndexedNow = async (store: IndexStore): Promise<boolean> => {
    const stats = await recordedHomeStats(store);
    return stats !== undefined && right(await homeAsIndexed(store, home, stats));
  };

  /** The page an index built now from the home gives: what the caught-up index answers. */
  const caughtUpPage = async (query: ListThreadsQuery = PAGE): Promise<ThreadListPage> => {
    const dir = await fs.mkdtemp(nodePath.join(scratch, 'ix-'));
    const fresh = right(await openCodexHome(home, dir, {}));
    try {
      return right(await listThreads(fresh.read, query)()).page;
    } finally {
      await fresh.close();
    }
  };

  /**
   * A start's first list, and whether it came before any catch-up ended: a serve's (in the
   * background, watched), or a CLI run's (the gate passed first, no watch: its list's whole-home
   * refresh asks the same check, historyIndexer.ts `catchUpWholeHome`).
   */
  const firstListOf = async (
    how: 'serve' | 'cli',
    query: ListThreadsQuery = PAGE,
  ): Promise<{ readonly page: ThreadListPage; readonly early: boolean; readonly filesCaughtUp: number[] }> => {
    let caughtUp = false;
    // The files each catch-up that ended looked at: a whole-home one, every file of the home.
    const filesCaughtUp: number[] = [];
    const onStatus = (s: IndexStatus): void => {
      if (s.kind === 'indexing' && s.work === 'catchUp' && s.progress.stage === 'done') {
        caughtUp = true;
        filesCaughtUp.push(s.progress.filesTotal);
      }
    };
    const opened = right(
      await openCodexHome(
        home,
        indexDir,
        how === 'serve' ? { backfill: 'background', watch: true, onStatus } : { onStatus },
      ),
    );
    try {
      const list = async () => right(await listThreads(opened.read, query)()).page;
      const page = how === 'serve' ? await opened.aheadOfBackfill(list) : await list();
      return { page, early: !caughtUp, filesCaughtUp };
    } finally {
      await opened.close();
    }
  };

  for (const how of ['serve', 'cli'] as const) {
    const firstList = (query?: ListThreadsQuery) => firstListOf(how, query);

    it(`${how}: an unchanged home: answered with no catch-up, the caught-up page`, async () => {
      const first = await firstList();
      expect(first.early).to.equal(true);
      expect(first.page.data.map((t) => t.id)).to.deep.equal(
        [threads[5]!, threads[4]!, threads[3]!].map((t) => t.threadId),
      );
      expect(first.page).to.deep.equal(await caughtUpPage());
      // Nothing written: the next start is early too.
      expect((await firstList()).early).to.equal(true);
    });

    it(`${how}: a changed file on the first page: waits for the catch-up, which brings the new turn`, async () => {
      await append(
        threads[4]!,
        TURN.flatMap((a) => act(threads[4]!, a)),
      );
      const first = await firstList();
      expect(first.early).to.equal(false);
      expect(first.page).to.deep.equal(await caughtUpPage());
    });

    it(`${how}: a file off the first page that now belongs on it (a resumed old thread): waits, and lists it first`, async () => {
      for (let i = 0; i < 10; i++)
        await append(
          threads[0]!,
          TURN.flatMap((a) => act(threads[0]!, a)),
        );
      const first = await firstList();
      expect(first.early).to.equal(false);
      expect(first.page.data[0]!.id).to.equal(threads[0]!.threadId);
      expect(first.page).to.deep.equal(await caughtUpPage());
    });

    it(`${how}: a new thread in the same day folder, and one in a new day folder: waits, and lists them`, async () => {
      for (const [seed, rel] of [
        [800, rolloutRelPath(newThread(800).threadId)],
        [801, `sessions/2026/11/22/rollout-2026-11-22T09-00-00-${newThread(801).threadId}.jsonl`],
      ] as const) {
        const t = newThread(seed);
        await fs.mkdir(nodePath.dirname(nodePath.join(home, rel)), { recursive: true });
        await fs.writeFile(
          nodePath.join(home, rel),
          threadLines(t, 9)
            .map((l) => `${l}\n`)
            .join(''),
        );
        const first = await firstList();
        expect(first.early).to.equal(false);
        expect(first.page.data.map((x) => x.id)).to.include(t.threadId);
        expect(first.page).to.deep.equal(await caughtUpPage());
      }
    });

    it(`${how}: a changed file and a new day folder's thread (its row in Codex's DB): those two files caught up, not the home; recorded again, the next start answers with no catch-up`, async () => {
      // Codex's DB as a Codex that ran each thread leaves it (live rows: no line it writes moves
      // them in the facts); without one, a thread's times are its file's mtime. The rows it moved
      // (all six) are followed, with no catch-up: every file is as recorded.
      const db = openSqlite(nodePath.join(home, 'state_5.sqlite'), { mustExist: false });
      db.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER)');
      for (const t of threads) db.prepare('INSERT INTO threads VALUES (?, 5000, 1)').run(t.threadId);
      db.close();
      const withDb = await firstList();
      expect(withDb.page).to.deep.equal(await caughtUpPage());
      await append(
        threads[1]!,
        TURN.flatMap((a) => act(threads[1]!, a)),
      );
      const t = newThread(802);
      const rel = `sessions/2026/11/23/rollout-2026-11-23T09-00-00-${t.threadId}.jsonl`;
      await fs.mkdir(nodePath.dirname(nodePath.join(home, rel)), { recursive: true });
      await fs.writeFile(
        nodePath.join(home, rel),
        threadLines(t, 3)
          .map((l) => `${l}\n`)
          .join(''),
      );
      // Its row in Codex's DB, as Codex beginning the session writes it: the DB's rows moved.
      const began = openSqlite(nodePath.join(home, 'state_5.sqlite'));
      began.prepare('INSERT INTO threads VALUES (?, 9000, 1)').run(t.threadId);
      began.close();
      const first = await firstList();
      expect(first.early).to.equal(false);
      // A whole-home catch-up looks at all 7 files (reading the 5 unchanged ones' checkpoints).
      expect(first.filesCaughtUp).to.deep.equal([2]);
      expect(first.page.data.map((x) => x.id)).to.include(t.threadId);
      expect(first.page).to.deep.equal(await caughtUpPage());
      const next = await firstList();
      expect(next.early).to.equal(true);
      expect(next.page).to.deep.equal(first.page);
    });

    it(`${how}: a gone file: that file caught up, not the home; the page is the caught-up one, and the next start answers with no catch-up`, async () => {
      await fs.rm(pathOf(threads[5]!));
      const first = await firstList();
      expect(first.early).to.equal(false);
      // Its rows gone and no file read: a whole-home catch-up looks at the 5 left.
      expect(first.filesCaughtUp).to.deep.equal([0]);
      expect(first.page.data.map((x) => x.id)).not.to.include(threads[5]!.threadId);
      expect(first.page).to.deep.equal(await caughtUpPage());
      expect((await firstList()).early).to.equal(true);
    });

    it(`${how}: an archive (the file moved to archived_sessions/, a root not there before): the moved file caught up, not the home; both lists the caught-up ones`, async () => {
      const archivedPath = nodePath.join(home, 'archived_sessions', nodePath.basename(pathOf(threads[5]!)));
      await fs.mkdir(nodePath.dirname(archivedPath));
      await fs.rename(pathOf(threads[5]!), archivedPath);
      const first = await firstList();
      expect(first.early).to.equal(false);
      // A whole-home catch-up looks at all 6 files.
      expect(first.filesCaughtUp).to.deep.equal([1]);
      expect(first.page.data.map((x) => x.id)).not.to.include(threads[5]!.threadId);
      expect(first.page).to.deep.equal(await caughtUpPage());
      const next = await firstList();
      expect(next.early).to.equal(true);
      const archived: ListThreadsQuery = { ...PAGE, archived: true };
      const opened = right(await openCodexHome(home, indexDir, {}));
      try {
        const page = right(await listThreads(opened.read, archived)()).page;
        expect(page.data.map((x) => x.id)).to.deep.equal([threads[5]!.threadId]);
        expect(page).to.deep.equal(await caughtUpPage(archived));
      } finally {
        await opened.close();
      }
      // And back (an unarchive): the file moved again, between two recorded folders.
      await fs.rename(archivedPath, pathOf(threads[5]!));
      const back = await firstList();
      expect(back.filesCaughtUp).to.deep.equal([1]);
      expect(back.page.data[0]!.id).to.equal(threads[5]!.threadId);
      expect(back.page).to.deep.equal(await caughtUpPage());
    });

    it(`${how}: a day folder gone with its thread: no file read, not the home; the page is the caught-up one, and the next start answers with no catch-up`, async () => {
      const t = newThread(803);
      const rel = `sessions/2026/11/24/rollout-2026-11-24T09-00-00-${t.threadId}.jsonl`;
      await fs.mkdir(nodePath.dirname(nodePath.join(home, rel)), { recursive: true });
      await fs.writeFile(
        nodePath.join(home, rel),
        threadLines(t, 12)
          .map((l) => `${l}\n`)
          .join(''),
      );
      expect((await firstList()).page.data.map((x) => x.id)).to.include(t.threadId);
      await fs.rm(nodePath.join(home, 'sessions/2026/11/24'), { recursive: true });
      const first = await firstList();
      expect(first.early).to.equal(false);
      expect(first.filesCaughtUp).to.deep.equal([0]);
      expect(first.page.data.map((x) => x.id)).not.to.include(t.threadId);
      expect(first.page).to.deep.equal(await caughtUpPage());
      expect((await firstList()).early).to.equal(true);
    });

    it(`${how}: files a stat cannot settle (an early rollout, an unreadable one): probed at each start with the files changed, not the home; two files of one rollout: among its thread's files`, async () => {
      const early = `sessions/2025/05/01/rollout-2025-05-01T10-00-00-${newThread(804).threadId}.jsonl`;
      const unreadable = `sessions/2025/05/01/rollout-2025-05-01T11-00-00-${newThread(805).threadId}.jsonl`;
      await fs.mkdir(nodePath.join(home, 'sessions/2025/05/01'), { recursive: true });
      const earlyId = newThread(804).threadId;
      await fs.writeFile(
        nodePath.join(home, early),
        envelopeLess(earlyId, 804, 2)
          .map((l) => `${l}\n`)
          .join(''),
      );
      // Not UTF-8: unreadable (a first line that is no rollout line is its name's thread, settled by a stat).
      await fs.writeFile(nodePath.join(home, unreadable), Buffer.from([0xff, 0xfe, 0x0a]));
      // Recorded by a whole-home catch-up (the files new in a new folder: caught up alone first).
      const opened = right(await openCodexHome(home, indexDir, { backfill: 'onDemand' }));
      try {
        right(await opened.read.indexer.refreshAll()());
      } finally {
        await opened.close();
      }
      await append(
        threads[4]!,
        TURN.flatMap((a) => act(threads[4]!, a)),
      );
      const first = await firstList();
      expect(first.early).to.equal(false);
      // The changed file and the two no stat settles; a whole-home catch-up looks at all 8.
      expect(first.filesCaughtUp).to.deep.equal([3]);
      expect(first.page).to.deep.equal(await caughtUpPage());
      // Nothing changed since: the two probed again, nothing else.
      const next = await firstList();
      expect(next.filesCaughtUp).to.deep.equal([2]);
      expect(next.page).to.deep.equal(first.page);
      // A copy of a rollout (two files claim it): its winner elected among its thread's files, the
      // copy and the file the index had with the two probed (a whole-home catch-up looks at 9).
      const copy = nodePath.join(home, 'archived_sessions', nodePath.basename(pathOf(threads[2]!)));
      await fs.mkdir(nodePath.dirname(copy));
      await fs.copyFile(pathOf(threads[2]!), copy);
      const copied = await firstList();
      expect(copied.filesCaughtUp).to.deep.equal([4]);
      expect(copied.page).to.deep.equal(await caughtUpPage());
      // The loser is then settled by its stat: the two probed again, nothing else.
      const after = await firstList();
      expect(after.filesCaughtUp).to.deep.equal([2]);
      expect(after.page).to.deep.equal(copied.page);
      // The copy grows: settled again among the thread's files; the file in sessions/ still wins
      // (active before archived), as a fresh index elects.
      const archivedPage: ListThreadsQuery = { ...PAGE, archived: true };
      await fs.appendFile(
        copy,
        TURN.flatMap((a) => act(threads[2]!, a))
          .map((l) => `${l}\n`)
          .join(''),
      );
      const grown = await firstList(archivedPage);
      expect(grown.filesCaughtUp).to.deep.equal([4]);
      expect(grown.page.data).to.deep.equal([]);
      expect(grown.page).to.deep.equal(await caughtUpPage(archivedPage));
      // The file that held the rows removed: the copy's rows (an archived thread), not none.
      await fs.rm(pathOf(threads[2]!));
      const removed = await firstList(archivedPage);
      expect(removed.page.data.map((x) => x.id)).to.deep.equal([threads[2]!.threadId]);
      expect(removed.page).to.deep.equal(await caughtUpPage(archivedPage));
      expect((await firstList()).filesCaughtUp).to.deep.equal([2]);
    });

    it(`${how}: a renamed thread (session_index.jsonl), every file as recorded: the name followed with no catch-up, the caught-up page`, async () => {
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        `${JSON.stringify({ id: threads[5]!.threadId, thread_name: 'renamed', updated_at: '2026-11-21T15:00:00Z' })}\n`,
      );
      const first = await firstList();
      expect(first.early).to.equal(true);
      expect(first.page.data[0]!.name).to.equal('renamed');
      expect(first.page).to.deep.equal(await caughtUpPage());
      // A rename with a file changed beside it: the catch-up, which brings both.
      await fs.writeFile(
        nodePath.join(home, 'session_index.jsonl'),
        `${JSON.stringify({ id: threads[3]!.threadId, thread_name: 'again', updated_at: '2026-11-21T15:00:01Z' })}\n`,
      );
      await append(
        threads[2]!,
        TURN.flatMap((a) => act(threads[2]!, a)),
      );
      const next = await firstList();
      expect(next.early).to.equal(false);
      expect(next.page).to.deep.equal(await caughtUpPage());
    });
  }

  /** A serve on the home, watched; `appendSeen` appends ten turns to thread 0 and resolves once the watch has the event (the next list takes it). */
  const watchedServe = async () => {
    let told: (path: string) => void = () => undefined;
    const opened = right(
      await openCodexHome(home, indexDir, {
        backfill: 'background',
        watch: true,
        onRolloutChanged: (path) => told(path),
      }),
    );
    const appendSeen = async (): Promise<void> => {
      const seen = new Promise<void>((resolve) => (told = (path) => path === pathOf(threads[0]!) && resolve()));
      for (let i = 0; i < 10; i++)
        await append(
          threads[0]!,
          TURN.flatMap((a) => act(threads[0]!, a)),
        );
      await seen;
    };
    return { opened, appendSeen };
  };

  it('after a start with no catch-up, a file written later is caught up through the watch (vouched at start)', async () => {
    const { opened, appendSeen } = await watchedServe();
    try {
      const before = right(await listThreads(opened.read, PAGE)()).page;
      expect(before).to.deep.equal(await caughtUpPage());
      await appendSeen();
      const after = right(await listThreads(opened.read, PAGE)()).page;
      expect(after.data[0]!.id).to.equal(threads[0]!.threadId);
      expect(after).to.deep.equal(await caughtUpPage());
    } finally {
      await opened.close();
    }
  });

  it('a serve whose watch caught a file up records the home again as it closes: the next start answers with no catch-up', async () => {
    const { opened, appendSeen } = await watchedServe();
    try {
      right(await listThreads(opened.read, PAGE)());
      await appendSeen();
      // The list takes the watch's change: the file's checkpoint moves, and the record goes with it.
      expect(right(await listThreads(opened.read, PAGE)()).page.data[0]!.id).to.equal(threads[0]!.threadId);
      expect(await recordedHomeStats(opened.store)).to.equal(undefined);
    } finally {
      await opened.close();
    }
    const next = await firstListOf('serve');
    expect(next.early).to.equal(true);
    expect(next.page.data[0]!.id).to.equal(threads[0]!.threadId);
    expect(next.page).to.deep.equal(await caughtUpPage());
  });

  it('a checkpoint written after the record drops it: the next check cannot vouch until a whole-home catch-up records again', async () => {
    const opened = right(await openCodexHome(home, indexDir, { backfill: 'onDemand' }));
    try {
      expect(await asIndexedNow(opened.store)).to.equal(true);
      // A whole-home catch-up of an unchanged home keeps the record as it is: it writes nothing.
      const mark = right(opened.store.writeMark!());
      right(await opened.read.indexer.refreshAll()());
      expect(right(opened.store.writeMark!())).to.equal(mark);
      await append(
        threads[2]!,
        TURN.flatMap((a) => act(threads[2]!, a)),
      );
      expect(await asIndexedNow(opened.store)).to.equal(false);
      // A read-repair catches the thread up: its checkpoint moves, the record goes with it.
      right(await opened.read.indexer.refreshThread(threads[2]!.threadId)());
      expect(right(await opened.store.get('meta', [...HOME_STATS_KEY])())).to.equal(undefined);
      expect(await asIndexedNow(opened.store)).to.equal(false);
      right(await opened.read.indexer.refreshAll()());
      expect(await asIndexedNow(opened.store)).to.equal(true);
    } finally {
      await opened.close();
    }
  });
});
