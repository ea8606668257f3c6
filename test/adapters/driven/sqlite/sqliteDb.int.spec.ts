// Issue 72: the SQLite port (adapters/driven/sqlite/sqliteDb.ts) answers alike on both drivers: node:sqlite
// where Node has it (22.13+), better-sqlite3 on Node 20. Run on each line (.ci/node-lines), so each
// driver meets the same checks: the connection settings the adapters rely on beside a running
// Codex (a file that must exist is never created, read-only, the busy timeout, transactions) and
// no ExperimentalWarning on stderr (Node 22 prints one when node:sqlite loads).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, openSqliteBytes, sqliteDriver } from '../../../../adapters/driven/sqlite/sqliteDb.js';
import { runCli } from '../../driving/cli/runCli.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';

const major = Number(process.versions.node.split('.')[0]);
const port = new URL('../../../../adapters/driven/sqlite/sqliteDb.js', import.meta.url).href;

describe('sqlite port · node:sqlite where Node has it, better-sqlite3 else, with the same connection settings', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'sqlite-port-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('picks node:sqlite on Node 22 and later, better-sqlite3 on Node 20', () => {
    expect(sqliteDriver()).to.equal(major >= 22 ? 'node:sqlite' : 'better-sqlite3');
  });

  it('loading it prints nothing on stderr (Node 22’s SQLite ExperimentalWarning dropped), and every other warning still prints', () => {
    const script = [
      `const { openSqlite } = await import(${JSON.stringify(port)});`,
      "const db = openSqlite(':memory:', { mustExist: false });",
      "process.stdout.write(JSON.stringify(db.prepare('select 1 as one').get()));",
      'db.close();',
      "process.emitWarning('another experiment', 'ExperimentalWarning');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('{"one":1}');
    expect(r.stderr).to.not.include('SQLite is an experimental feature');
    expect(r.stderr).to.include('ExperimentalWarning: another experiment');
  });

  it('a DB that must exist is not created where missing (read-write or read-only); one that need not is', () => {
    const missing = join(root, 'state_5.sqlite');
    expect(() => openSqlite(missing)).to.throw();
    expect(() => openSqlite(missing, { readonly: true })).to.throw();
    expect(readdirSync(root)).to.deep.equal([]);
    openSqlite(missing, { mustExist: false }).close();
    expect(existsSync(missing)).to.equal(true);
  });

  it('a path with URI characters (?, #, %, space) opens that file, not another', () => {
    const odd = join(root, 'a ?#%25 b.sqlite');
    const made = openSqlite(odd, { mustExist: false });
    made.exec('CREATE TABLE t (x); INSERT INTO t VALUES (7)');
    made.close();
    const db = openSqlite(odd, { readonly: true });
    expect(db.prepare('SELECT x FROM t').get()).to.deep.include({ x: 7 });
    db.close();
    expect(readdirSync(root)).to.deep.equal(['a ?#%25 b.sqlite']);
  });

  it('read-only refuses a write; named and positional parameters; the transaction state, before, inside and after', () => {
    const path = join(root, 'db.sqlite');
    const w = openSqlite(path, { mustExist: false });
    w.pragma('journal_mode = WAL');
    w.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER)');
    expect(w.inTransaction).to.equal(false);
    w.exec('BEGIN IMMEDIATE');
    expect(w.inTransaction).to.equal(true);
    w.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run('a', 1);
    w.prepare('INSERT INTO t (id, n) SELECT @id, n + 1 FROM t WHERE id = @source').run({ id: 'b', source: 'a' });
    // The probe of the state (Node 22 before 22.16) leaves the transaction as it was.
    expect(w.inTransaction).to.equal(true);
    w.exec('COMMIT');
    expect(w.inTransaction).to.equal(false);
    const r = openSqlite(path, { readonly: true });
    expect(
      r
        .prepare('SELECT id, n FROM t ORDER BY id')
        .all()
        .map((row) => ({ ...(row as object) })),
    ).to.deep.equal([
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
    ]);
    expect([...r.prepare('SELECT id FROM t ORDER BY id').iterate()].length).to.equal(2);
    expect(r.prepare('SELECT id FROM t WHERE id = ?').get('z')).to.equal(undefined);
    expect(() => r.prepare("INSERT INTO t (id, n) VALUES ('c', 3)").run()).to.throw(/readonly|read-only/i);
    r.close();
    w.close();
  });

  it('the busy timeout: a writer waits for another connection’s write lock that long, then fails (SQLITE_BUSY)', () => {
    const path = join(root, 'db.sqlite');
    const holder = openSqlite(path, { mustExist: false });
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (x)');
    holder.exec('BEGIN IMMEDIATE');
    const waiter = openSqlite(path, { timeoutMs: 300 });
    const started = process.hrtime.bigint();
    expect(() => waiter.exec('BEGIN IMMEDIATE')).to.throw(/locked|busy/i);
    const waitedMs = Number(process.hrtime.bigint() - started) / 1e6;
    // SQLite's busy handler sleeps until the timeout has passed before it gives up: a bound, not a race.
    expect(waitedMs).to.be.at.least(250);
    holder.exec('COMMIT');
    waiter.exec('BEGIN IMMEDIATE');
    waiter.exec('COMMIT');
    waiter.close();
    holder.close();
  });

  it('a DB read from its bytes holds its rows and leaves no file behind (beside the DB or in the temp folder)', () => {
    const path = join(root, 'db.sqlite');
    const w = openSqlite(path, { mustExist: false });
    w.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    w.close();
    const tempsBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('rollout-engine-sqlite-')).length;
    const db = openSqliteBytes(readFileSync(path));
    expect(
      db
        .prepare('SELECT x FROM t')
        .all()
        .map((row) => ({ ...(row as object) })),
    ).to.deep.equal([{ x: 'kept' }]);
    db.close();
    expect(readdirSync(root)).to.deep.equal(['db.sqlite']);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('rollout-engine-sqlite-')).length).to.equal(tempsBefore);
  });

  it('the CLI on a home with a state DB writes no warning of Node’s on stderr (no ExperimentalWarning on any line), only its own notes', () => {
    const home = join(root, 'codex-home');
    const threadId = '01a1fe84-0000-7000-8000-0000000000c1';
    writeRollout(home, rolloutName(threadId), chatThread('legacy', threadId, 2).text());
    const db = openSqlite(join(home, 'state_5.sqlite'), { mustExist: false });
    db.exec('CREATE TABLE threads (id TEXT PRIMARY KEY, updated_at_ms INTEGER, recency_at_ms INTEGER)');
    db.prepare('INSERT INTO threads VALUES (?, ?, ?)').run(threadId, 1_700_000_000_000, 1_700_000_000_000);
    db.close();
    const r = runCli('turns', threadId, '--codex-home', home, '--json');
    expect(r.status, r.stderr).to.equal(0);
    expect((JSON.parse(r.stdout) as { data: unknown[] }).data.length).to.equal(2);
    // Its own notes only (the first command indexes the thread): no warning of Node's.
    expect(r.stderr).to.not.include('Warning');
    expect(r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('rollout-engine: '))).to.deep.equal([]);
  });
});
