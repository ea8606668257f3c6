// The codexState adapter on the state DB and writer locks a real `codex app-server` 0.169.0 made:
// the row moves with the file in one transaction, under Codex's locking rules, or nothing is
// written at all.
import { expect } from 'chai';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openSqlite } from '../../../../adapters/driven/sqlite/sqliteDb.js';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import {
  CODEX_STATE_DB,
  codexThreadState,
  codexWriterOf,
} from '../../../../adapters/driven/codexState/codexThreadState.js';
import type { EngineError } from '../../../../domain/errors.js';
import { ioError } from '../../../../domain/errors.js';
import { openColdCodex } from '../../../compat/compatHomes.js';
import { freshRoot } from '../../../compat/mutationHarness.js';
import { buildCompatHomes } from '../../../compat/scenarios.js';
import type { CompatHome } from '../../../compat/scenarios.js';

interface Row {
  rollout_path: string;
  created_at: number;
  created_at_ms: number;
  updated_at_ms: number;
  title: string;
  tokens_used: number;
}

describe('codexState: Codex’s state DB and writer locks, as codex app-server 0.169.0 made them', function () {
  this.timeout(120_000);
  let root: string;
  let h: CompatHome;
  let threadId: string;
  let dbPath: string;
  const rowOf = (): Row => {
    const db = openSqlite(dbPath, { readonly: true });
    try {
      return db
        .prepare(
          'SELECT rollout_path, created_at, created_at_ms, updated_at_ms, title, tokens_used FROM threads WHERE id = ?',
        )
        .get(threadId) as Row;
    } finally {
      db.close();
    }
  };
  /** A revision file's creation, as the use case hands it over (here: a copy of the current file). */
  const creating = (to: string): TE.TaskEither<EngineError, string> =>
    TE.fromIO(() => (copyFileSync(rowOf().rollout_path, to), to));
  const revisionPath = (n: number): string => join(h.codexHome, 'sessions', `rollout-revision-${n}-${threadId}.jsonl`);

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    h = (await buildCompatHomes(root, { scenarios: ['chat'], concurrency: 2 })).find(
      (x) => x.key === 'chat-paginated',
    )!;
    threadId = h.threads.find((t) => t.label === 'main')!.id;
    dbPath = join(h.codexHome, CODEX_STATE_DB);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('names the Codex process that has the thread loaded (its flock on thread-writer-locks/<id>.lock) and refuses while it holds it', async () => {
    expect(codexWriterOf(h.codexHome, threadId)).to.equal(null);
    const state = codexThreadState(h.codexHome);
    const codex = await openColdCodex(h);
    try {
      await codex.server.request('thread/resume', { threadId, excludeTurns: true });
      expect(codexWriterOf(h.codexHome, threadId)).to.equal(codex.server.pid);
      const held = await state.refuseIfHeld(threadId)();
      expect(E.isLeft(held) && held.left._tag === 'Rejected' && held.left.reason).to.include(
        `pid ${codex.server.pid} holds its writer lock`,
      );
      let ran = false;
      const before = rowOf();
      const r = await state.switchCurrentFile(
        { threadId, from: before.rollout_path, to: revisionPath(5), at: new Date() },
        TE.fromIO(() => (ran = true)),
      )();
      expect(E.isLeft(r) && r.left._tag).to.equal('Rejected');
      expect(ran).to.equal(false);
      expect(rowOf()).to.deep.equal(before);
    } finally {
      await codex.stop();
    }
    expect(codexWriterOf(h.codexHome, threadId), 'released when Codex stops').to.equal(null);
    expect(await state.refuseIfHeld(threadId)()).to.deep.equal(E.right(undefined));
  });

  it("moves the thread's row to the new file with the revision's time, in the WAL Codex keeps, and touches nothing else", async () => {
    const before = rowOf();
    const at = new Date(before.created_at_ms + 3_600_500);
    const to = revisionPath(1);
    const r = await codexThreadState(h.codexHome).switchCurrentFile(
      { threadId, from: before.rollout_path, to, at },
      creating(to),
    )();
    expect(r).to.deep.equal(E.right(to));
    expect(rowOf()).to.deep.equal({
      ...before,
      rollout_path: to,
      created_at: Math.floor(at.getTime() / 1000),
      created_at_ms: at.getTime(),
    });
    const db = openSqlite(dbPath, { readonly: true });
    expect((db.pragma('journal_mode')[0] as { journal_mode: string }).journal_mode).to.equal('wal');
    db.close();
  });

  it('refuses, running nothing, when Codex names another current file; a failed write leaves the row as it was', async () => {
    const before = rowOf();
    const state = codexThreadState(h.codexHome);
    let ran = false;
    const stale = await state.switchCurrentFile(
      { threadId, from: join(h.codexHome, 'sessions', 'elsewhere.jsonl'), to: revisionPath(2), at: new Date() },
      TE.fromIO(() => (ran = true)),
    )();
    expect(E.isLeft(stale) && stale.left._tag === 'Rejected' && stale.left.reason).to.include(
      `names ${before.rollout_path} as the current file of thread ${threadId}`,
    );
    expect(ran).to.equal(false);
    const failed = ioError(revisionPath(3), 'create', 'EEXIST', 'taken');
    expect(
      await state.switchCurrentFile(
        { threadId, from: before.rollout_path, to: revisionPath(3), at: new Date() },
        TE.left(failed),
      )(),
    ).to.deep.equal(E.left(failed));
    expect(rowOf()).to.deep.equal(before);
  });

  it('a row naming a file of another home (a copied home brought its state DB) is moved to the revision, not refused', async () => {
    const before = rowOf();
    const original = join(root, 'original-home', 'sessions', 'rollout-original.jsonl');
    const db = openSqlite(dbPath, { mustExist: false });
    db.prepare('UPDATE threads SET rollout_path = ? WHERE id = ?').run(original, threadId);
    db.close();
    const to = revisionPath(6);
    copyFileSync(before.rollout_path, join(root, 'current-copy.jsonl'));
    const r = await codexThreadState(h.codexHome).switchCurrentFile(
      { threadId, from: before.rollout_path, to, at: new Date(before.created_at_ms) },
      TE.fromIO(() => (copyFileSync(join(root, 'current-copy.jsonl'), to), to)),
    )();
    expect(r).to.deep.equal(E.right(to));
    expect(rowOf().rollout_path).to.equal(to);
  });

  it("waits for Codex's writers as they wait for it (busy timeout), then moves the row", async () => {
    const before = rowOf();
    // Another connection (another thread: our wait blocks this one) holds the write lock for 400 ms.
    const holder = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.port).then(({ openSqlite }) => {
         const db = openSqlite(workerData.db);
         db.exec('BEGIN IMMEDIATE');
         parentPort.postMessage('locked');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
         db.exec('COMMIT');
         db.close();
       });`,
      {
        eval: true,
        workerData: {
          port: new URL('../../../../adapters/driven/sqlite/sqliteDb.js', import.meta.url).href,
          db: dbPath,
          ms: 400,
        },
      },
    );
    await new Promise((resolve, reject) => (holder.once('message', resolve), holder.once('error', reject)));
    const to = revisionPath(4);
    const started = Date.now();
    const r = await codexThreadState(h.codexHome).switchCurrentFile(
      { threadId, from: before.rollout_path, to, at: new Date() },
      creating(to),
    )();
    const waited = Date.now() - started;
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(r).to.deep.equal(E.right(to));
    // A time: it waited for the 400 ms hold (less the worker's message on its way), not a count.
    expect(waited).to.be.at.least(300);
    expect(rowOf().rollout_path).to.equal(to);
  });

  it('without a state DB (no Codex cached this home), only the file is written', async () => {
    const bare = join(root, 'bare-home');
    const to = join(root, 'bare-revision.jsonl');
    const r = await codexThreadState(bare).switchCurrentFile(
      { threadId, from: 'x', to, at: new Date() },
      TE.fromIO(() => (writeFileSync(to, '{}\n'), 'written')),
    )();
    expect(r).to.deep.equal(E.right('written'));
    expect(existsSync(join(bare, CODEX_STATE_DB))).to.equal(false);
  });
});
