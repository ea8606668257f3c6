import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { stateDbSignature } from '../../adapters/driven/fs/codexStateDb.js';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { openLmdbIndex } from '../../adapters/driven/lmdb/indexStore.js';
import { lmdbDirOf } from '../../adapters/driven/lmdb/environmentFolder.js';
import { execFileSync } from 'node:child_process';
import { CLI } from '../fixtures/cliBundle.js';
import { listThreads } from '../../replay/history/listThreads.js';
import { followCodexRows } from '../../indexer/catchUp/catchUpThreadRows.js';
import { commitsReadingThrough } from '../fixtures/countedReads.js';
import type { ListThreadsQuery, ThreadListPage } from '../../replay/history/listThreads.js';
import { right } from '../fixtures/right.js';
import { backfilledRowTimes } from '../../domain/thread/backfillTimes.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { rolloutName, writeRollout } from '../replay/mutationHome.js';

/*
 * A CLI run (no home watch) on a home with a Codex state DB takes the DB's part of the thread rows'
 * facts from the stamp the last full refresh left (catchUpThreadRows.ts `DbPartStamp`: the DB
 * files' signature before its read, and the digest of what it gave) instead of reading every row
 * again, while the DB's files keep that signature. What Codex writes to its DB since changes the
 * signature: the next run reads the DB, and answers as an index built from the home as it is.
 */
const IDS = [
  '01a20000-0000-7000-8000-0000000000a1',
  '01a20000-0000-7000-8000-0000000000a2',
  '01a20000-0000-7000-8000-0000000000a3',
];
const PAGE: ListThreadsQuery = { limit: 10, sortKey: 'updated_at' };

/** A paginated rollout of each of `IDS` in `home`, thread i started a second after the one before, with `turns(i)` chat turns. */
const writeThreads = (home: string, turns: (i: number) => number): void =>
  IDS.forEach((id, i) => {
    const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, 0, i) }).sessionMeta();
    for (let t = 0; t < turns(i); t++) w.chatTurn(`t${t}`, `question ${t}`, `answer ${t}`);
    writeRollout(home, rolloutName(id), w.text());
  });

describe("a CLI run's list on a home with a Codex state DB: the DB's stamp, and what Codex writes since", function () {
  this.timeout(120_000);
  const tmp = useTempDir('db-stamp-');
  let home: string;
  let db: string;

  /** A fresh one-shot open, as a CLI run: its list's page, and the stamp the index keeps. */
  const cliList = async (indexDir = nodePath.join(home, '.rollout-engine')) => {
    const opened = right(await openCodexHome(home, indexDir, {}));
    try {
      const page = right(await listThreads(opened.read, PAGE)()).page;
      const stamp = right(await opened.store.get('meta', ['threadDbPartDigest'])()) as
        { signature: string } | undefined;
      return { page, stamp };
    } finally {
      await opened.close();
    }
  };
  /** What an index built now from the home answers. */
  const caughtUpPage = async (): Promise<ThreadListPage> =>
    (await cliList(await fs.mkdtemp(nodePath.join(tmp(), 'ix-')))).page;
  const write = (sql: string, ...args: unknown[]): void => {
    const c = openSqlite(db, { mustExist: true });
    try {
      c.prepare(sql).run(...args);
    } finally {
      c.close();
    }
  };

  beforeEach(async () => {
    home = nodePath.join(await fs.mkdtemp(nodePath.join(tmp(), 'h-')), 'home');
    await fs.mkdir(home);
    writeThreads(home, (i) => 3 - i);
    // Rows Codex ran (times apart: live), one named: a paginated thread's name is its row's.
    db = nodePath.join(home, 'state_5.sqlite');
    const c = openSqlite(db, { mustExist: false });
    c.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER, name TEXT)');
    IDS.forEach((id, i) =>
      c
        .prepare('INSERT INTO threads VALUES (?, ?, ?, ?)')
        .run(id, 1_795_000_000_000 + i, 1_795_000_100_000 + i, i === 0 ? 'first' : null),
    );
    c.close();
    await cliList();
  });

  it('an unchanged home and DB: the stamp holds the signature the DB still has, and the page is the caught-up one', async () => {
    const { page, stamp } = await cliList();
    expect(stamp?.signature).to.be.a('string').and.equal(stateDbSignature(home));
    expect(page.data.find((t) => t.id === IDS[0])?.name).to.equal('first');
    expect(page).to.deep.equal(await caughtUpPage());
  });

  it('a name Codex writes into its DB since (a paginated thread renamed): the next run reads the DB and answers it', async () => {
    const before = (await cliList()).stamp?.signature;
    write('UPDATE threads SET name = ? WHERE id = ?', 'renamed', IDS[1]);
    const { page, stamp } = await cliList();
    expect(stamp?.signature).to.not.equal(before);
    expect(stamp?.signature).to.equal(stateDbSignature(home));
    expect(page.data.find((t) => t.id === IDS[1])?.name).to.equal('renamed');
    expect(page).to.deep.equal(await caughtUpPage());
  });

  it('a write that gives the rows nothing new (a column no row takes, as an archive marks its row): the next run stamps the signature the DB has now', async () => {
    const before = await cliList();
    // A name set and unset: the rows as they were, the DB's files not.
    write('UPDATE threads SET name = ? WHERE id = ?', 'for a moment', IDS[1]);
    write('UPDATE threads SET name = NULL WHERE id = ?', IDS[1]);
    const now = stateDbSignature(home);
    expect(now).to.not.equal(before.stamp?.signature);
    const { page, stamp } = await cliList();
    // Else every later run reads the DB again.
    expect(stamp?.signature).to.equal(now);
    expect(page).to.deep.equal(before.page);
    expect(page).to.deep.equal(await caughtUpPage());
  });

  it('`index` of a home whose files and DB are unchanged takes the stamp: the DB is not read while its files keep their signature', async () => {
    const indexDir = nodePath.join(home, '.rollout-engine');
    /** The `index` command, a process of its own (a process keeps its last reading of the DB), then the first thread's row name. */
    const indexed = async (): Promise<string | null | undefined> => {
      const out = execFileSync(
        process.execPath,
        [CLI, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'],
        {
          encoding: 'utf8',
        },
      );
      expect((JSON.parse(out) as { unchanged: number }).unchanged).to.equal(IDS.length);
      const store = right(await openLmdbIndex(lmdbDirOf(indexDir))());
      try {
        return right(await store.get('threads', [IDS[0]!])())?.name;
      } finally {
        right(await store.close()());
      }
    };
    // The DB's times set to a whole second (a signature a rewrite can keep), then stamped by a run.
    const at = new Date(Date.UTC(2026, 10, 21, 16, 0, 0));
    await fs.utimes(db, at, at);
    await cliList();
    const signature = stateDbSignature(home);
    // The row's name rewritten in place, the file's size and times kept: a DB its signature cannot tell from the stamped one.
    const bytes = await fs.readFile(db);
    const name = bytes.indexOf('first');
    expect(name).to.be.above(0);
    bytes.write('FIRST', name);
    await fs.writeFile(db, bytes);
    await fs.utimes(db, at, at);
    expect(stateDbSignature(home)).to.equal(signature);
    // Read, the DB would name the thread 'FIRST'.
    expect(await indexed()).to.equal('first');
    // Its times moved (as any write of Codex's moves them): `index` reads the DB and follows it.
    const later = new Date(at.getTime() + 1000);
    await fs.utimes(db, later, later);
    expect(await indexed()).to.equal('FIRST');
  });

  it("a serve's follow of the DB reads it only once its files move, then redoes the rows it moved, not every row", async () => {
    const indexDir = nodePath.join(home, '.rollout-engine');
    // A DB whose row name is rewritten in place, its size and times kept: its signature the one
    // stamped by a process of its own (this one keeps its last reading of the DB by signature).
    const at = new Date(Date.UTC(2026, 10, 21, 16, 0, 0));
    await fs.utimes(db, at, at);
    execFileSync(process.execPath, [CLI, 'threads', '--codex-home', home, '--index-dir', indexDir, '--json']);
    const signature = stateDbSignature(home);
    const bytes = await fs.readFile(db);
    bytes.write('FIRST', bytes.indexOf('first'));
    await fs.writeFile(db, bytes);
    await fs.utimes(db, at, at);
    expect(stateDbSignature(home)).to.equal(signature);
    const store = right(await openLmdbIndex(lmdbDirOf(indexDir))());
    try {
      const derived = new Set<string>();
      // A process of its own (a new store object: no row derived in it yet), the threads whose rows it derives noted.
      const serving = commitsReadingThrough(store, (reader) => ({
        ...reader,
        get: (table, key) => {
          if (table === 'threads') derived.add(key[0] as string);
          return reader.get(table, key);
        },
      }));
      const nameOf = async (): Promise<string | null | undefined> =>
        right(await store.get('threads', [IDS[0]!])())?.name;
      right(await followCodexRows(serving, home));
      right(await followCodexRows(serving, home));
      // Read, the DB would name the thread 'FIRST'.
      expect(await nameOf()).to.equal('first');
      expect([...derived]).to.deep.equal([]);
      // Codex re-dates a row: the DB is read, and the two rows it moved since the stamp are redone.
      write(
        'UPDATE threads SET updated_at_ms = ?, recency_at_ms = ? WHERE id = ?',
        1_796_000_000_000,
        1_796_000_000_000,
        IDS[2],
      );
      right(await followCodexRows(serving, home));
      expect(await nameOf()).to.equal('FIRST');
      expect([...derived].sort()).to.deep.equal([IDS[0], IDS[2]].sort());
    } finally {
      right(await store.close()());
    }
    expect((await cliList()).page).to.deep.equal(await caughtUpPage());
  });

  it('row times Codex moves since (a search re-dating a row): the next run follows them', async () => {
    const before = (await cliList()).page;
    // Re-dated by Codex's reconcile: both times one moment, later than the others.
    write(
      'UPDATE threads SET updated_at_ms = ?, recency_at_ms = ? WHERE id = ?',
      1_796_000_000_000,
      1_796_000_000_000,
      IDS[2],
    );
    const { page } = await cliList();
    expect(page).to.not.deep.equal(before);
    expect(page).to.deep.equal(await caughtUpPage());
  });
});

describe('a serve on a home without a Codex state DB, when Codex makes one (its first start)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('db-appears-');

  it("a named paginated thread then answers its DB row's name, as Codex does (its backfill's rows hold none)", async () => {
    const home = nodePath.join(tmp(), 'home');
    await fs.mkdir(home);
    writeThreads(home, () => 1);
    await fs.writeFile(
      nodePath.join(home, 'session_index.jsonl'),
      `${JSON.stringify({ id: IDS[0], thread_name: 'named', updated_at: '2026-11-21T15:00:00Z' })}\n`,
    );
    let built: () => void = () => undefined;
    const backfilled = new Promise<void>((resolve) => (built = resolve));
    const opened = right(
      await openCodexHome(home, nodePath.join(tmp(), 'ix'), {
        backfill: 'background',
        watch: true,
        onStatus: (s) => {
          if (s.kind === 'indexing' && s.work === 'build' && s.progress.stage === 'done') built();
        },
      }),
    );
    try {
      const nameOf = async (): Promise<string | null | undefined> =>
        right(await listThreads(opened.read, PAGE)()).page.data.find((t) => t.id === IDS[0])?.name;
      await backfilled;
      expect(await nameOf()).to.equal('named');
      // Codex's first start: its DB, a row for every thread, no name.
      const c = openSqlite(nodePath.join(home, 'state_5.sqlite'), { mustExist: false });
      c.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER, name TEXT)');
      // The times its backfill gives them (domain/thread/backfillTimes.ts): the rows the index derived without a DB.
      const files = (await fs.readdir(nodePath.join(home, 'sessions'), { recursive: true }))
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => nodePath.join(home, 'sessions', f));
      const times = backfilledRowTimes(
        await Promise.all(
          IDS.map(async (id) => {
            const file = files.find((f) => f.includes(id))!;
            return {
              relativePath: nodePath.relative(home, file),
              threadId: id,
              mtimeMs: (await fs.stat(file)).mtimeMs,
            };
          }),
        ),
      );
      for (const id of IDS)
        c.prepare('INSERT INTO threads VALUES (?, ?, ?, NULL)').run(
          id,
          times.get(id)!.updatedMs,
          times.get(id)!.recencyMs,
        );
      c.close();
      expect(await nameOf()).to.equal(null);
    } finally {
      await opened.close();
    }
  });
});
