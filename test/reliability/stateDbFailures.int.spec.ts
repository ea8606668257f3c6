// Mutations while Codex's state DB (state_5.sqlite) cannot be written (issue 68, finding 8): held
// by another writer past its busy timeout, or not a database at all. A mutation whose own write is
// done answers success with a warning (CLI: exit 0, a warning on stderr, `--json` one
// `{"warning":{"kind":"codexStateNotUpdated",…}}` line; JSON-RPC: the answer, after a
// `rolloutEngine/codexStateNotUpdated` notification), never "failed": a client that retries on
// failure then forks once, not once per retry. A revision (rollback, revert) changes Codex's row
// in the same transaction as its file, so it is either done or nothing is written.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { openSqlite, type SqliteDb } from '../../adapters/driven/sqlite/sqliteDb.js';
import { expect } from 'chai';
import type { EngineCliRun } from '../compat/engineCli.js';
import { runEngineCli } from '../compat/engineCli.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { reportArea } from './areaSummary.js';

/** How often a client retries a command that failed: each retry of a fork that was made would make another. */
const CLIENT_ATTEMPTS = 3;
const threadIdOf = (round: number, n: number): string =>
  `bbbbbbbb-0000-7000-8000-${round.toString(16).padStart(4, '0')}${n.toString(16).padStart(8, '0')}`;

type Condition = 'locked' | 'notADatabase';

/** Every rollout file of the home (relative paths). */
const rollouts = (home: string): string[] =>
  ['sessions', 'archived_sessions'].flatMap((folder) => {
    const root = nodePath.join(home, folder);
    if (!fs.existsSync(root)) return [];
    return fs
      .readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.jsonl'))
      .map((p) => nodePath.join(folder, p));
  });

describe('reliability · mutations while Codex’s state DB cannot be written', function () {
  this.timeout(600_000);
  const figures = {
    runs: 0,
    writesDone: 0,
    reportedFailedAfterWrite: 0,
    warned: 0,
    clientRetries: 0,
    forksMade: 0,
    namesWritten: 0,
    revisionsUndone: 0,
  };
  const homes: string[] = [];
  let holder: SqliteDb | undefined;

  after(() => {
    holder?.close();
    for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
    reportArea('state DB failures (locked past its busy timeout, not a database; CLI and serve)', figures);
  });

  /** A home with a paginated thread of 3 turns and Codex's row of it, then the state DB made unwritable as `condition` says. */
  const homeWith = (condition: Condition, round: number): { home: string; source: string; release: () => void } => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), `rel-statedb-${condition}-`));
    homes.push(home);
    const source = threadIdOf(round, 0);
    const path = writeRollout(home, rolloutName(source), chatThread('paginated', source, 3).text());
    const dbPath = nodePath.join(home, 'state_5.sqlite');
    const db = openSqlite(dbPath, { mustExist: false });
    db.exec(
      'CREATE TABLE threads (id TEXT PRIMARY KEY, rollout_path TEXT, created_at INTEGER, created_at_ms INTEGER, title TEXT, name TEXT, archived INTEGER)',
    );
    db.prepare('INSERT INTO threads VALUES (?, ?, 0, 0, ?, NULL, 0)').run(source, path, 'question 1');
    db.close();
    if (condition === 'notADatabase') {
      fs.writeFileSync(dbPath, 'this is not a database\n'.repeat(200));
      return { home, source, release: () => undefined };
    }
    // Another writer holds the DB's write lock for as long as the test says (past our 5 s busy timeout).
    holder = openSqlite(dbPath, { mustExist: false });
    holder.exec('BEGIN IMMEDIATE');
    holder.prepare("UPDATE threads SET title = 'held' WHERE id = ?").run(source);
    const held = holder;
    return {
      home,
      source,
      release: () => {
        held.exec('ROLLBACK');
        held.close();
        if (holder === held) holder = undefined;
      },
    };
  };

  /** A client that retries a failed command (up to CLIENT_ATTEMPTS times): its runs. */
  const asAClient = async (args: readonly string[]): Promise<EngineCliRun[]> => {
    const runs: EngineCliRun[] = [];
    for (let i = 0; i < CLIENT_ATTEMPTS; i++) {
      const run = await runEngineCli(args, 120_000);
      runs.push(run);
      figures.runs++;
      if (i > 0) figures.clientRetries++;
      if (run.exitCode === 0) break;
    }
    return runs;
  };

  const warningOf = (run: EngineCliRun): { kind: string; threadId: string; method: string } | undefined => {
    for (const line of run.stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      const w = (JSON.parse(line) as { warning?: { kind: string; threadId: string; method: string } }).warning;
      if (w?.kind === 'codexStateNotUpdated') return w;
    }
    return undefined;
  };

  for (const [round, condition] of [
    [1, 'locked'],
    [2, 'notADatabase'],
  ] as const) {
    it(`${condition}: fork exits 0 with a warning (--json: on stderr), the fork is there once, a client's retry policy adds no second fork`, async () => {
      const { home, source, release } = homeWith(condition, round);
      try {
        const before = rollouts(home);
        const runs = await asAClient(['fork', source, '--codex-home', home, '--json']);
        const made = rollouts(home).filter((p) => !before.includes(p));
        figures.forksMade += made.length;
        if (made.length > 0) figures.writesDone++;
        if (made.length > 0 && runs[0]!.exitCode !== 0) figures.reportedFailedAfterWrite++;
        const warning = warningOf(runs[0]!);
        if (warning !== undefined) figures.warned++;
        expect(
          { attempts: runs.length, exit: runs[0]!.exitCode, forks: made.length },
          runs.map((r) => r.stderr).join('\n---\n'),
        ).to.deep.equal({
          attempts: 1,
          exit: 0,
          forks: 1,
        });
        // The answer names the fork it made: nothing to retry.
        const fork = (JSON.parse(runs[0]!.stdout) as { thread: { id: string } }).thread.id;
        expect(made[0]).to.include(fork);
        expect(warning).to.deep.include({ kind: 'codexStateNotUpdated', threadId: fork, method: 'thread/fork' });
      } finally {
        release();
      }
    });

    it(`${condition}: name exits 0 with a warning, the name written once; without --json the warning is a line for a person`, async () => {
      const { home, source, release } = homeWith(condition, round + 10);
      try {
        const runs = await asAClient(['name', source, 'the name', '--codex-home', home]);
        const lines = fs
          .readFileSync(nodePath.join(home, 'session_index.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.includes(source));
        figures.namesWritten += lines.length;
        if (lines.length > 0) figures.writesDone++;
        if (lines.length > 0 && runs[0]!.exitCode !== 0) figures.reportedFailedAfterWrite++;
        if (/warning: .*thread\/name\/set is done/.test(runs[0]!.stderr)) figures.warned++;
        expect(
          { attempts: runs.length, exit: runs[0]!.exitCode, lines: lines.length },
          runs.map((r) => r.stderr).join('\n---\n'),
        ).to.deep.equal({
          attempts: 1,
          exit: 0,
          lines: 1,
        });
        expect(runs[0]!.stderr).to.match(
          /rollout-engine: warning: thread \S+: thread\/name\/set is done \(not to be retried\), but Codex's state DB was not given the thread's name/,
        );
      } finally {
        release();
      }
    });

    it(`${condition}: a detached review exits 0 with a warning, its thread made once; rollback and revert are done with the DB or not at all`, async () => {
      const { home, source, release } = homeWith(condition, round + 20);
      try {
        let before = rollouts(home);
        const review = await asAClient([
          'review',
          source,
          '--custom',
          'look',
          '--delivery',
          'detached',
          '--codex-home',
          home,
          '--json',
        ]);
        const reviewMade = rollouts(home).filter((p) => !before.includes(p));
        if (reviewMade.length > 0) figures.writesDone++;
        if (reviewMade.length > 0 && review[0]!.exitCode !== 0) figures.reportedFailedAfterWrite++;
        if (warningOf(review[0]!) !== undefined) figures.warned++;
        expect(
          { attempts: review.length, exit: review[0]!.exitCode, made: reviewMade.length },
          review[0]!.stderr,
        ).to.deep.equal({ attempts: 1, exit: 0, made: 1 });
        expect(warningOf(review[0]!)).to.deep.include({ method: 'review/start' });
        for (const args of [
          ['rollback', source, '--num-turns', '1'],
          ['revert', source, '--before-turn-id', 't2'],
        ]) {
          before = rollouts(home);
          const run = await runEngineCli([...args, '--codex-home', home, '--json'], 120_000);
          figures.runs++;
          const made = rollouts(home).filter((p) => !before.includes(p));
          if (made.length > 0) figures.writesDone++;
          if (made.length > 0 && run.exitCode !== 0) figures.reportedFailedAfterWrite++;
          if (made.length === 0 && run.exitCode !== 0) figures.revisionsUndone++;
          // Never "failed" for a revision that is there, never "done" for one that is not.
          expect({ command: args[0], made: made.length }, run.stderr).to.deep.equal({
            command: args[0],
            made: run.exitCode === 0 ? 1 : 0,
          });
        }
      } finally {
        release();
      }
    });
  }

  it('locked: over JSON-RPC, thread/fork and thread/name/set answer their result after a rolloutEngine/codexStateNotUpdated notification; one fork', async () => {
    const { home, source, release } = homeWith('locked', 40);
    const server = await initializedServe(home, {
      clientInfo: { name: 'statedb', version: '1' },
      capabilities: { experimentalApi: true },
    });
    try {
      const before = rollouts(home);
      const forked = (await server.request('thread/fork', { threadId: source })) as {
        result?: { thread: { id: string } };
        error?: unknown;
      };
      const named = (await server.request('thread/name/set', { threadId: source, name: 'rpc name' })) as {
        result?: unknown;
        error?: unknown;
      };
      figures.runs += 2;
      const made = rollouts(home).filter((p) => !before.includes(p));
      figures.forksMade += made.length;
      figures.writesDone += made.length;
      const notes = server.notifications
        .filter((n) => n.method === 'rolloutEngine/codexStateNotUpdated')
        .map((n) => n.params as { threadId: string; method: string });
      figures.warned += notes.length;
      expect(forked.error, JSON.stringify(forked.error)).to.equal(undefined);
      expect(named.error, JSON.stringify(named.error)).to.equal(undefined);
      expect(made).to.have.length(1);
      expect(notes.map((n) => [n.threadId, n.method])).to.deep.equal([
        [forked.result!.thread.id, 'thread/fork'],
        [source, 'thread/name/set'],
      ]);
    } finally {
      await server.close();
      release();
    }
  });
});
