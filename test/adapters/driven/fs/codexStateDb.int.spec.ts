// Codex's state DB as the indexer reads it (issue 69): its rows' times, classified, read without
// creating any file in the home, and never through a link.
import { openSqlite } from '../../../../adapters/driven/sqlite/sqliteDb.js';
import { expect } from 'chai';
import { mkdirSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { readCodexRowTimes, stateDbCopiesIn, stateDbSeen } from '../../../../adapters/driven/fs/codexStateDb.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const A = '019a0000-0000-7000-8000-000000000001';
const B = '019a0000-0000-7000-8000-000000000002';

/** A state DB in WAL mode, as Codex leaves one it closed: its WAL checkpointed away. */
const writeStateDb = (home: string, rows: ReadonlyArray<readonly [string, number, number]>): void => {
  const db = openSqlite(join(home, 'state_5.sqlite'), { mustExist: false });
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at INTEGER, updated_at_ms INTEGER, recency_at INTEGER, recency_at_ms INTEGER)',
  );
  for (const [id, updated, recency] of rows)
    db.prepare('INSERT INTO threads VALUES (?, ?, ?, ?, ?)').run(
      id,
      Math.floor(updated / 1000),
      updated,
      Math.floor(recency / 1000),
      recency,
    );
  db.close();
};

describe("codexStateDb: Codex's state-DB row times, read for the thread rows", () => {
  const tmpRoot = useTempDir('codex-state-db-');
  let n = 0;
  /** A fresh folder of this test's temp dir. */
  const tmp = (): string => {
    const dir = join(tmpRoot(), `d${n++}`);
    mkdirSync(dir);
    return dir;
  };

  it('no DB: no row', async () => {
    const home = tmp();
    const rows = await readCodexRowTimes(home);
    expect(E.isRight(rows) && rows.right.size).to.equal(0);
  });

  it('each row classified (a row taken from a file by its times, a live one as such), and no file created in the home', async () => {
    const home = tmp();
    writeStateDb(home, [
      [A, 1_795_172_465_122, 1_795_172_465_122],
      [B, 1_795_172_465_122, 1_795_172_400_000],
    ]);
    const before = readdirSync(home).sort();
    expect(before, 'the WAL checkpointed away').to.deep.equal(['state_5.sqlite']);
    const rows = await readCodexRowTimes(home);
    expect(E.isRight(rows) ? [...rows.right].sort() : rows).to.deep.equal([
      [A, { updatedMs: 1_795_172_465_122, recencyMs: 1_795_172_465_122 }],
      [B, 'live'],
    ]);
    expect(readdirSync(home).sort(), 'files of the home after the read').to.deep.equal(before);
  });

  /** A folder's mtime set an hour back: a file made and removed in it since moves it again. */
  const agedFolder = (dir: string): number => {
    const back = new Date(Date.now() - 3_600_000);
    utimesSync(dir, back, back);
    return statSync(dir).mtimeMs;
  };

  it("with the index's folder given, read from a copy there (nothing kept in it, nothing made in the home); a folder it cannot write: read in memory", async () => {
    const rows: Array<readonly [string, number, number]> = [
      [A, 1_795_172_465_122, 1_795_172_465_122],
      [B, 1_795_172_465_122, 1_795_172_400_000],
    ];
    const inMemory = tmp();
    writeStateDb(inMemory, rows);
    const expected = await readCodexRowTimes(inMemory);
    const home = tmp();
    writeStateDb(home, rows);
    const indexFolder = tmp();
    const before = agedFolder(indexFolder);
    stateDbCopiesIn(home, indexFolder, indexFolder);
    const copied = await readCodexRowTimes(home);
    expect(E.isRight(copied) && [...copied.right].sort()).to.deep.equal(
      E.isRight(expected) && [...expected.right].sort(),
    );
    expect(statSync(indexFolder).mtimeMs, 'a copy made and removed in the folder').to.be.above(before);
    expect(readdirSync(indexFolder)).to.deep.equal([]);
    expect(readdirSync(home)).to.deep.equal(['state_5.sqlite']);
    const unwritable = tmp();
    writeStateDb(unwritable, rows);
    stateDbCopiesIn(unwritable, join(tmp(), 'gone'), tmpRoot());
    const fallen = await readCodexRowTimes(unwritable);
    expect(E.isRight(fallen) && [...fallen.right].sort()).to.deep.equal(
      E.isRight(expected) && [...expected.right].sort(),
    );
  });

  it('a copy a crashed process left in the folder is removed when it is given, one a running read makes is not', async () => {
    const home = tmp();
    const indexFolder = tmp();
    const left = join(indexFolder, 'codex-state-copy-999999-1.sqlite');
    const running = join(indexFolder, 'codex-state-copy-999999-2.sqlite');
    const ours = join(indexFolder, 'not-a-copy.sqlite');
    for (const f of [left, running, ours]) writeFileSync(f, 'bytes');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(left, old, old);
    utimesSync(ours, old, old);
    stateDbCopiesIn(home, indexFolder, indexFolder);
    expect(readdirSync(indexFolder).sort()).to.deep.equal(['codex-state-copy-999999-2.sqlite', 'not-a-copy.sqlite']);
  });

  it('a DB whose rows change is read again; a DB SQLite cannot read holds no row', async () => {
    const home = tmp();
    writeStateDb(home, [[A, 1_000, 1_000]]);
    expect(E.isRight(await readCodexRowTimes(home))).to.equal(true);
    const db = openSqlite(join(home, 'state_5.sqlite'), { mustExist: false });
    // Apart by more than Codex's allocation moves a row it took from a file (`codexRowTimesOf`): a row it ran.
    db.prepare('UPDATE threads SET updated_at_ms = 5000, recency_at_ms = 500').run();
    db.close();
    const again = await readCodexRowTimes(home);
    expect(E.isRight(again) && again.right.get(A)).to.equal('live');
    const other = tmp();
    writeFileSync(join(other, 'state_5.sqlite'), 'not a database');
    const none = await readCodexRowTimes(other);
    expect(E.isRight(none) && none.right.size).to.equal(0);
  });

  it('a DB a running Codex holds open (WAL beside it): read once while unchanged, each commit seen on the next read', async () => {
    const home = tmp();
    writeStateDb(home, [[A, 1_000, 1_000]]);
    const codex = openSqlite(join(home, 'state_5.sqlite'), { mustExist: false });
    try {
      codex.pragma('wal_autocheckpoint = 0');
      codex.prepare('UPDATE threads SET updated_at_ms = 2000, recency_at_ms = 2000').run();
      const first = await readCodexRowTimes(home);
      expect(E.isRight(first) && first.right.get(A)).to.deep.equal({ updatedMs: 2_000, recencyMs: 2_000 });
      // The reader's own open writes its read mark into the shm (and, as root, chowns the WAL and shm).
      const second = await readCodexRowTimes(home);
      expect(E.isRight(second) && E.isRight(first) && second.right === first.right, 'the last reading kept').to.equal(
        true,
      );
      codex.prepare('UPDATE threads SET updated_at_ms = 3000, recency_at_ms = 3000').run();
      const third = await readCodexRowTimes(home);
      expect(E.isRight(third) && third.right.get(A)).to.deep.equal({ updatedMs: 3_000, recencyMs: 3_000 });
    } finally {
      codex.close();
    }
  });

  it("a commit that leaves the DB's and WAL's size and mtime as they were (one clock tick, the WAL restarted) is seen on the next read", async () => {
    const home = tmp();
    writeStateDb(home, [[A, 1_000, 1_000]]);
    const path = join(home, 'state_5.sqlite');
    const codex = openSqlite(path, { mustExist: false });
    try {
      codex.pragma('wal_autocheckpoint = 0');
      /** Codex's write after a full checkpoint: its WAL restarts from the first frame, the same size as the last time. */
      const restartedWrite = (ms: number): void => {
        codex.pragma('wal_checkpoint(PASSIVE)');
        codex.prepare('UPDATE threads SET updated_at_ms = ?, recency_at_ms = ?').run(ms, ms);
      };
      const files = [path, `${path}-wal`];
      /** Both files' mtime one whole second (the clock's tick the two writes fall in). */
      const oneTick = (): void => {
        for (const file of files) utimesSync(file, 1_795_000_000, 1_795_000_000);
      };
      restartedWrite(2_000);
      oneTick();
      const first = await readCodexRowTimes(home);
      expect(E.isRight(first) && first.right.get(A)).to.deep.equal({ updatedMs: 2_000, recencyMs: 2_000 });
      const sizes = files.map((file) => statSync(file).size);
      restartedWrite(3_000);
      oneTick();
      expect(
        files.map((file) => statSync(file).size),
        'the same sizes',
      ).to.deep.equal(sizes);
      const second = await readCodexRowTimes(home);
      expect(E.isRight(second) && second.right.get(A)).to.deep.equal({ updatedMs: 3_000, recencyMs: 3_000 });
    } finally {
      codex.close();
    }
  });

  it('a DB that is a link is refused: nothing outside the home is read', async () => {
    const home = tmp();
    const elsewhere = tmp();
    writeStateDb(elsewhere, [[A, 1_000, 1_000]]);
    symlinkSync(join(elsewhere, 'state_5.sqlite'), join(home, 'state_5.sqlite'));
    const rows = await readCodexRowTimes(home);
    expect(E.isLeft(rows)).to.equal(true);
  });

  it('where the DB is, kept while the home folder is unchanged: a DB made, or a side file swapped for a link, is seen at the next ask', async () => {
    const home = tmp();
    const elsewhere = tmp();
    /** The folder's mtime set back past the settling bound, so the answer asked next is kept. */
    const settled = (): void => utimesSync(home, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    settled();
    expect(stateDbSeen(home)).to.equal(undefined);
    expect(stateDbSeen(home)).to.equal(undefined);
    writeStateDb(home, [[A, 1_000, 1_000]]);
    settled();
    expect(stateDbSeen(home)).to.equal(join(home, 'state_5.sqlite'));
    expect(stateDbSeen(home)).to.equal(join(home, 'state_5.sqlite'));
    writeFileSync(join(elsewhere, 'outside-wal'), '');
    symlinkSync(join(elsewhere, 'outside-wal'), join(home, 'state_5.sqlite-wal'));
    settled();
    expect(() => stateDbSeen(home)).to.throw(/link/i);
    expect(E.isLeft(await readCodexRowTimes(home))).to.equal(true);
  });
});
