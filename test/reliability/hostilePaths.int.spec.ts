// Issue 22, hostile paths and access: nothing outside CODEX_HOME is read or written through the
// home's entries (links of rollouts and of folders, an index of another home, `..` and absolute
// paths), one bad entry never takes the home down, an index dir inside sessions/ or on /proc is
// refused, and what holds conversation text is this user's alone. A file outside the home is
// watched: its bytes and mtime must not change, and its marker must appear in no output.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { runEngineCli } from '../compat/engineCli.js';
import type { EngineCliRun } from '../compat/engineCli.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { chatThread, dayDir, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { jsonlRolloutFiles } from '../../adapters/driven/jsonl/writers/rolloutFiles.js';
import { indexHome } from '../../indexer/indexHome.js';
import { reportArea } from './areaSummary.js';
import { stderrJson } from '../fixtures/stderrJson.js';

const GOOD = '01a1fe84-0000-7000-8000-0000000000e1';
const LINKED = '01a1fe84-0000-7000-8000-0000000000e2';
const SECRET = 'SECRET-OUTSIDE-THE-HOME-7f3a';

/** Figures for the summary line. */
const figures = { refusedPaths: 0, skippedEntries: 0, crashes: 0, outsideWrites: 0, leaks: 0 };

/** A file outside the home, its bytes and mtime as they were, and the check that neither moved. */
interface Watched {
  readonly path: string;
  readonly untouched: () => void;
}

const watch = (path: string, text: string): Watched => {
  fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  fs.writeFileSync(path, text);
  const past = new Date(Date.now() - 3600_000);
  fs.utimesSync(path, past, past);
  const bytes = fs.readFileSync(path);
  const mtimeMs = fs.statSync(path).mtimeMs;
  return {
    path,
    untouched: () => {
      const same = fs.readFileSync(path).equals(bytes) && fs.statSync(path).mtimeMs === mtimeMs;
      if (!same) figures.outsideWrites += 1;
      expect(same, `${path} changed (bytes or mtime)`).to.equal(true);
    },
  };
};

const cli = async (args: ReadonlyArray<string>): Promise<EngineCliRun> => {
  const r = await runEngineCli(args, 60_000);
  // A crash is a signal, a timeout, or an exit without a typed answer (1 is an internal error).
  if (r.signal !== null || r.timedOut || r.exitCode === 1) figures.crashes += 1;
  if (`${r.stdout}${r.stderr}`.includes(SECRET)) figures.leaks += 1;
  return r;
};

/** The JSON a `--json` run printed: its answer on stdout, or its error on stderr. */
const json = (r: EngineCliRun): Record<string, unknown> =>
  (r.stdout.trim() !== '' ? (JSON.parse(r.stdout) as unknown) : stderrJson(r.stderr)) as Record<string, unknown>;

describe('reliability · hostile paths and access', function () {
  this.timeout(120_000);
  const tmp = useTempDir('rel-paths-');

  after(() => reportArea('hostile paths', figures));

  it('a rollout that is a link out of the home (to a thread, to /etc/passwd) is reported and skipped: never read, appended to by rollback or review, or shown', async () => {
    const home = nodePath.join(tmp(), 'links');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 2).text());
    const outside = watch(nodePath.join(tmp(), 'elsewhere', 'x.jsonl'), chatThread('legacy', LINKED, 3, SECRET).text());
    fs.symlinkSync(outside.path, nodePath.join(dayDir(home), rolloutName(LINKED)));
    const passwd = nodePath.join(dayDir(home), rolloutName('01a1fe84-0000-7000-8000-0000000000e9'));
    fs.symlinkSync('/etc/passwd', passwd);

    const index = await cli(['index', '--codex-home', home, '--json']);
    expect(index.exitCode, index.stderr).to.equal(0);
    const unreadable = json(index)['unreadable'] as Array<{ path: string; reason: string }>;
    expect(unreadable.map((u) => nodePath.basename(u.path)).sort()).to.deep.equal(
      [rolloutName(LINKED), nodePath.basename(passwd)].sort(),
    );
    for (const u of unreadable) expect(u.reason).to.match(/symbolic link/);
    figures.skippedEntries += unreadable.length;
    expect(index.stdout).not.to.include('root:');

    const rollback = await cli(['rollback', LINKED, '--num-turns', '1', '--codex-home', home, '--json']);
    const review = await cli(['review', LINKED, '--custom', 'look', '--codex-home', home, '--json']);
    const read = await cli(['read', LINKED, '--codex-home', home, '--json']);
    for (const r of [rollback, review, read]) {
      expect(r.exitCode, r.stdout).to.equal(2);
      expect(json(r)['error']).to.deep.include({ tag: 'NotFound' });
      figures.refusedPaths += 1;
    }
    const threads = await cli(['threads', '--codex-home', home, '--json']);
    expect((json(threads)['data'] as Array<{ id: string }>).map((t) => t.id)).to.deep.equal([GOOD]);
    outside.untouched();
    expect(figures.leaks).to.equal(0);
  });

  it('a rollout replaced by a link after it was indexed is not followed: the thread is gone, the outside file untouched; an append through the link is InvalidArgument', async () => {
    const home = nodePath.join(tmp(), 'swapped');
    const path = writeRollout(home, rolloutName(LINKED), chatThread('legacy', LINKED, 2).text());
    expect((await cli(['index', '--codex-home', home, '--json'])).exitCode).to.equal(0);
    const outside = watch(
      nodePath.join(tmp(), 'elsewhere2', 'x.jsonl'),
      chatThread('legacy', LINKED, 3, SECRET).text(),
    );
    fs.rmSync(path);
    fs.symlinkSync(outside.path, path);
    for (const args of [
      ['rollback', LINKED, '--num-turns', '1'],
      ['review', LINKED, '--custom', 'look'],
      ['turns', LINKED],
    ]) {
      const r = await cli([...args, '--codex-home', home, '--json']);
      expect(r.exitCode, r.stdout).to.equal(2);
      figures.refusedPaths += 1;
    }
    // The writer itself, given the link's path (as an index of that moment would): O_NOFOLLOW.
    const size = fs.statSync(outside.path).size;
    const appended = await jsonlRolloutFiles(home).append(
      path,
      [{ timestamp: '2026-11-21T14:00:00.000Z', type: 'event_msg', payload: { type: 'x' } }],
      { ordinal: 7, byteOffset: size },
      'legacy',
    )();
    expect(E.isLeft(appended) && appended.left).to.deep.include({ _tag: 'InvalidArgument' });
    figures.refusedPaths += 1;
    outside.untouched();
  });

  it('a rollout hard-linked to a file outside the home is not written through: rollback and the writer refuse it, the outside file untouched', async () => {
    const home = nodePath.join(tmp(), 'hard-linked');
    const outside = watch(
      nodePath.join(tmp(), 'elsewhere3', 'x.jsonl'),
      chatThread('legacy', LINKED, 3, SECRET).text(),
    );
    const path = writeRollout(home, rolloutName(LINKED), '');
    fs.rmSync(path);
    fs.linkSync(outside.path, path);
    const r = await cli(['rollback', LINKED, '--num-turns', '1', '--codex-home', home, '--json']);
    expect(r.exitCode, r.stdout).to.equal(2);
    expect(r.stderr).to.match(/hard links/);
    figures.refusedPaths += 1;
    const size = fs.statSync(outside.path).size;
    const appended = await jsonlRolloutFiles(home).append(
      path,
      [{ timestamp: '2026-11-21T14:00:00.000Z', type: 'event_msg', payload: { type: 'x' } }],
      { ordinal: 7, byteOffset: size },
      'legacy',
    )();
    expect(E.isLeft(appended) && appended.left).to.deep.include({ _tag: 'InvalidArgument' });
    figures.refusedPaths += 1;
    outside.untouched();
  });

  it('a day folder that links out of the home is reported and not walked, and nothing is created through it', async () => {
    const home = nodePath.join(tmp(), 'folder-link');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 1).text());
    const outsideDir = nodePath.join(tmp(), 'outside-day');
    const outside = watch(
      nodePath.join(outsideDir, rolloutName(LINKED).replace('2026-11-21', '2026-12-01')),
      chatThread('legacy', LINKED, 1, SECRET).text(),
    );
    fs.symlinkSync(nodePath.join(tmp(), 'outside-day'), nodePath.join(home, 'sessions', '2026', '12'));
    const index = await cli(['index', '--codex-home', home, '--json']);
    expect(index.exitCode).to.equal(0);
    expect(json(index)['unreadable']).to.deep.equal([
      { path: nodePath.join(home, 'sessions', '2026', '12'), reason: 'a symbolic link to a folder: not followed' },
    ]);
    figures.skippedEntries += 1;
    const created = await jsonlRolloutFiles(home).create(
      nodePath.join(home, 'sessions', '2026', '12', 'rollout-2026-12-01T00-00-00-' + GOOD + '.jsonl'),
      ['{}'],
    )();
    expect(E.isLeft(created) && created.left).to.deep.include({ _tag: 'InvalidArgument' });
    figures.refusedPaths += 1;
    expect(fs.readdirSync(outsideDir)).to.deep.equal([nodePath.basename(outside.path)]);
    outside.untouched();
  });

  it('one bad entry (a link to a folder, a link loop, a dangling link, a FIFO) is reported and skipped: index, threads and serve go on', async () => {
    const home = nodePath.join(tmp(), 'bad-entries');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 1).text());
    const day = dayDir(home);
    const name = (n: number) => rolloutName(`01a1fe84-0000-7000-8000-0000000000f${n}`);
    fs.symlinkSync(tmp(), nodePath.join(day, name(1)));
    fs.symlinkSync(nodePath.join(day, name(2)), nodePath.join(day, name(2)));
    fs.symlinkSync(nodePath.join(day, 'gone'), nodePath.join(day, name(3)));
    const fifo = nodePath.join(day, name(4));
    const { execFile } = await import('node:child_process');
    await new Promise<void>((resolve, reject) => execFile('mkfifo', [fifo], (err) => (err ? reject(err) : resolve())));
    const index = await cli(['index', '--codex-home', home, '--json']);
    expect(index.exitCode, index.stderr).to.equal(0);
    const unreadable = json(index)['unreadable'] as Array<{ path: string; reason: string }>;
    expect(unreadable.map((u) => [nodePath.basename(u.path), u.reason.split(':')[0]])).to.deep.equal([
      [name(1), 'a symbolic link to a folder'],
      [name(2), 'a symbolic link loop'],
      [name(3), 'a symbolic link that leads nowhere (ENOENT)'],
      [name(4), 'not a regular file (a FIFO, socket or device)'],
    ]);
    figures.skippedEntries += unreadable.length;
    const threads = await cli(['threads', '--codex-home', home, '--json']);
    expect(threads.exitCode).to.equal(0);
    expect((json(threads)['data'] as Array<{ id: string }>).map((t) => t.id)).to.deep.equal([GOOD]);
    // A fresh index, opened on demand by a read (the path `serve` takes): no `probe … failed`.
    fs.rmSync(nodePath.join(home, '.rollout-engine'), { recursive: true });
    const read = await cli(['read', GOOD, '--codex-home', home, '--json']);
    expect(read.exitCode, read.stderr).to.equal(0);
  });

  // Issue 68 (finding 10): rollback and revert opened Codex's state_5.sqlite by name, following a
  // link planted there (or at its -wal), and moved the thread's row in the DB outside the home;
  // the rename path already refused such a link. Now each refuses it before SQLite opens anything.
  it("Codex's state DB (or its WAL) linked out of the home: rollback and revert are refused naming it, name skips it, nothing outside is written", async () => {
    // Both paginated: their rollback and revert each write a revision and move Codex's row to it (a legacy rollback appends in place).
    const PAGINATED = '01a1fe84-0000-7000-8000-0000000000e3';
    /** A Codex-like state DB holding a `threads` row for each thread, in WAL mode as Codex keeps it. */
    const stateDb = (path: string, rows: ReadonlyArray<[string, string]>): void => {
      fs.mkdirSync(nodePath.dirname(path), { recursive: true });
      const db = openSqlite(path, { mustExist: false });
      db.pragma('journal_mode = WAL');
      db.exec(
        'CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT NOT NULL, created_at INTEGER NOT NULL, created_at_ms INTEGER, name TEXT, title TEXT)',
      );
      for (const [id, rollout] of rows)
        db.prepare('INSERT INTO threads VALUES (?, ?, 1, 1000, NULL, NULL)').run(id, rollout);
      db.close();
    };
    for (const planted of ['state_5.sqlite', 'state_5.sqlite-wal']) {
      const home = nodePath.join(tmp(), `state-db-${planted}`);
      const rolledBack = writeRollout(home, rolloutName(GOOD), chatThread('paginated', GOOD, 2).text());
      const paginated = writeRollout(home, rolloutName(PAGINATED), chatThread('paginated', PAGINATED, 2).text());
      const outsideDir = nodePath.join(tmp(), `outside-${planted}`);
      const rows: Array<[string, string]> = [
        [GOOD, rolledBack],
        [PAGINATED, paginated],
      ];
      if (planted === 'state_5.sqlite') {
        // The whole DB outside, its rows naming this home's files (as a copied DB would).
        stateDb(nodePath.join(outsideDir, 'state.sqlite'), rows);
        fs.symlinkSync(nodePath.join(outsideDir, 'state.sqlite'), nodePath.join(home, 'state_5.sqlite'));
      } else {
        // The DB in the home, its write-ahead log a link to a file outside (SQLite opens it by name).
        stateDb(nodePath.join(home, 'state_5.sqlite'), rows);
        fs.mkdirSync(outsideDir, { recursive: true });
        fs.writeFileSync(nodePath.join(outsideDir, 'wal'), '');
        fs.symlinkSync(nodePath.join(outsideDir, 'wal'), nodePath.join(home, 'state_5.sqlite-wal'));
      }
      const outsideBefore = (): Array<[string, string]> =>
        (fs.readdirSync(outsideDir) as string[]).sort().map(
          (f) =>
            [
              f,
              createHash('sha256')
                .update(fs.readFileSync(nodePath.join(outsideDir, f)))
                .digest('hex'),
            ] as [string, string],
        );
      const before = outsideBefore();
      expect((await cli(['index', '--codex-home', home, '--json'])).exitCode).to.equal(0);
      // A list reads the home's DB rows where Codex may have re-dated them: a linked DB is none, not an error.
      const listed = await cli(['threads', '--codex-home', home, '--json']);
      expect(listed.exitCode, listed.stderr).to.equal(0);

      const rollback = await cli(['rollback', GOOD, '--num-turns', '1', '--codex-home', home, '--json']);
      const revert = await cli(['revert', PAGINATED, '--before-turn-id', 't2', '--codex-home', home, '--json']);
      // The rename path: the name is written (session_index.jsonl), the linked DB left alone.
      const named = await cli(['name', GOOD, 'kept', '--codex-home', home, '--json']);
      const after = outsideBefore();
      if (JSON.stringify(after) !== JSON.stringify(before)) figures.outsideWrites += 1;
      expect(after, `files outside the home (${planted} linked) changed`).to.deep.equal(before);
      expect(named.exitCode, named.stderr).to.equal(0);
      for (const r of [rollback, revert]) {
        expect(r.exitCode, `${r.args.join(' ')}: ${r.stdout}`).to.equal(2);
        expect(json(r)['error'], r.stderr).to.deep.include({ tag: 'Rejected' });
        expect(r.stderr).to.include(nodePath.join(home, planted));
        figures.refusedPaths += 1;
      }
      // Refused before anything was written: no revision beside the threads' files.
      expect(
        fs
          .readdirSync(dayDir(home))
          .filter((f) => f.endsWith('.jsonl'))
          .sort(),
        planted,
      ).to.deep.equal([rolloutName(GOOD), rolloutName(PAGINATED)].sort());
    }
  });

  it('--index-dir on /proc or inside sessions/ (also through a link) is refused at once with a clear error, and nothing is created there', async () => {
    const home = nodePath.join(tmp(), 'index-dirs');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 1).text());
    fs.symlinkSync(nodePath.join(home, 'sessions'), nodePath.join(tmp(), 'sessions-link'));
    const cases: Array<[string, RegExp]> = [
      ['/proc/self', /is on proc/],
      [nodePath.join(home, 'sessions', 'idx'), /inside .*sessions/],
      [nodePath.join(home, 'archived_sessions'), /inside .*archived_sessions/],
      [nodePath.join(tmp(), 'sessions-link', 'idx'), /inside .*sessions/],
    ];
    for (const [dir, words] of cases) {
      const t0 = Date.now();
      const r = await cli(['threads', '--codex-home', home, '--index-dir', dir, '--json']);
      expect(Date.now() - t0).to.be.below(20_000);
      expect(r.exitCode, `${dir}: ${r.stdout}${r.stderr}`).to.equal(2);
      expect(json(r)['error']).to.deep.include({ tag: 'InvalidArgument', field: '--index-dir' });
      expect((json(r)['error'] as { reason: string }).reason).to.match(words);
      figures.refusedPaths += 1;
    }
    expect(fs.readdirSync(nodePath.join(home, 'sessions'))).to.deep.equal(['2026']);
    expect(fs.existsSync(nodePath.join(home, 'archived_sessions'))).to.equal(false);
  });

  it('thread ids and fork paths with .., absolute paths, encoded dots and links out of the home are refused; the outside rollout is untouched', async () => {
    const home = nodePath.join(tmp(), 'ids');
    writeRollout(home, rolloutName(GOOD), chatThread('legacy', GOOD, 1).text());
    const outside = watch(
      nodePath.join(tmp(), 'other-home', 'sessions', '2026', '11', '21', rolloutName(LINKED)),
      chatThread('legacy', LINKED, 2, SECRET).text(),
    );
    const rel = nodePath.relative(home, outside.path);
    fs.symlinkSync(outside.path, nodePath.join(home, 'link.jsonl'));
    const ids = [`../${LINKED}`, outside.path, `%2e%2e%2f${LINKED}`, `..%2f..%2f${rel}`, `sessions/../../${rel}`];
    for (const id of ids) {
      for (const args of [
        ['read', id],
        ['rollback', id, '--num-turns', '1'],
        ['review', id, '--custom', 'x'],
      ]) {
        const r = await cli([...args, '--codex-home', home, '--json']);
        expect(r.exitCode, `${args.join(' ')}: ${r.stdout}`).to.equal(2);
        figures.refusedPaths += 1;
      }
    }
    for (const path of [
      rel,
      outside.path,
      `sessions/../${rel}`,
      nodePath.join(home, 'link.jsonl'),
      `sessions/%2e%2e/${rel}`,
    ]) {
      const r = await cli(['fork', '--path', path, '--codex-home', home, '--json']);
      expect(r.exitCode, `fork --path ${path}: ${r.stdout}`).to.equal(2);
      figures.refusedPaths += 1;
    }
    outside.untouched();
    expect(figures.leaks).to.equal(0);
  });

  it('a copied home (its index holds the original paths) writes only into itself', async () => {
    const original = nodePath.join(tmp(), 'original');
    const path = writeRollout(original, rolloutName(GOOD), chatThread('legacy', GOOD, 3).text());
    expect((await cli(['index', '--codex-home', original, '--json'])).exitCode).to.equal(0);
    const watched = watch(path, fs.readFileSync(path, 'utf8'));
    const copy = nodePath.join(tmp(), 'copy');
    fs.cpSync(original, copy, { recursive: true });
    const r = await cli(['rollback', GOOD, '--num-turns', '1', '--codex-home', copy, '--json']);
    expect(r.exitCode, r.stdout).to.equal(0);
    watched.untouched();
    expect(fs.readFileSync(nodePath.join(copy, nodePath.relative(original, path)), 'utf8')).to.include(
      'thread_rolled_back',
    );
  });

  it('what holds conversation text is private whatever the umask: the index 0700/0600, quarantine.jsonl 0600, the rollouts and folders the engine creates 0600/0700', async () => {
    const home = nodePath.join(tmp(), 'modes');
    const path = writeRollout(home, rolloutName(GOOD), chatThread('paginated', GOOD, 3).text());
    fs.appendFileSync(path, '{"not a rollout line\n');
    const was = process.umask(0);
    try {
      const indexDir = nodePath.join(home, '.rollout-engine');
      const r = await indexHome({ codexHome: home, indexDir, rebuild: false });
      expect(E.isRight(r) && r.right.quarantined).to.equal(1);
      const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
      expect(mode(nodePath.join(indexDir, 'index'))).to.equal('700');
      expect(mode(nodePath.join(indexDir, 'index', 'data.mdb'))).to.equal('600');
      expect(mode(nodePath.join(indexDir, 'quarantine.jsonl'))).to.equal('600');
      expect(mode(indexDir)).to.equal('700');
      const files = jsonlRolloutFiles(home);
      const at = new Date('2026-12-02T10:00:00Z');
      const created = files.pathFor(at, GOOD, '01a1fe84-0000-7000-8000-0000000000aa');
      expect(E.isRight(await files.create(created, [fs.readFileSync(path, 'utf8').split('\n')[0]!])())).to.equal(true);
      expect(mode(created)).to.equal('600');
      expect(mode(nodePath.dirname(created))).to.equal('700');
    } finally {
      process.umask(was);
    }
  });
});
