// Coherence with a Codex that keeps its cache: Codex wrote the threads and its state DB
// (state_5.sqlite) stays as it is; the engine reverts and rolls back; a Codex restarted on that
// home reads the history we cut (every view equal to ours), its next turn continues after it,
// and the engine reads that turn. While a Codex has the thread loaded, the engine refuses.
import { expect } from 'chai';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import type { ColdCodex } from './compatHomes.js';
import { openColdCodex } from './compatHomes.js';
import {
  codexViews,
  engineRefusal,
  engineValue,
  engineViews,
  freshRoot,
  openEngineServer,
  viewDifferences,
} from './mutationHarness.js';
import { buildCompatHomes } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

/** Codex's `threads` row for a thread, read beside it (its cache of the thread's current file). */
const codexRow = (h: CompatHome, threadId: string): { rollout_path: string; created_at_ms: number } => {
  const db = openSqlite(join(h.codexHome, 'state_5.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT rollout_path, created_at_ms FROM threads WHERE id = ?').get(threadId) as {
      rollout_path: string;
      created_at_ms: number;
    };
  } finally {
    db.close();
  }
};

const rolloutFiles = (h: CompatHome): string[] =>
  (readdirSync(join(h.codexHome, 'sessions'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.jsonl'))
    .sort();

describe('compat: a Codex that keeps its state DB follows the revisions the engine writes (codex app-server 0.169.0)', function () {
  this.timeout(180_000);
  let root: string;
  let homes: CompatHome[];
  const home = (mode: string): CompatHome => homes.find((h) => h.key === `chat-${mode}`)!;
  const mainOf = (h: CompatHome): string => h.threads.find((t) => t.label === 'main')!.id;
  const turnIds = async (h: CompatHome, threadId: string): Promise<string[]> =>
    ((await engineValue(h, 'read', threadId)).turns as Array<{ id: string }>).map((t) => t.id);

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    homes = await buildCompatHomes(root, { scenarios: ['chat'], concurrency: 2 });
    for (const h of homes)
      expect(existsSync(join(h.codexHome, 'state_5.sqlite')), `${h.key}: Codex's state DB`).to.equal(true);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /**
   * Codex restarted on `h` with its state DB as it is: its views of the thread equal ours, then a
   * turn it runs continues the history, and the engine reads that turn after `kept`.
   */
  async function codexContinues(h: CompatHome, threadId: string, kept: string[], when: string): Promise<void> {
    const codex = await openColdCodex(h);
    let codexTurn: string;
    try {
      const ours = await openEngineServer(h);
      try {
        const ourViews = await engineViews(ours, threadId);
        const d = viewDifferences(
          `${h.key} ${when}`,
          await codexViews(codex.server, threadId, ourViews.tokenUsage !== null),
          ourViews,
        );
        expect(d, d).to.equal('');
      } finally {
        await ours.close();
      }
      const turn = await codex.server.runTurn(threadId, `Codex continues after ${when}.`);
      expect(turn.status).to.equal('completed');
      codexTurn = turn.id;
    } finally {
      await codex.stop();
    }
    expect(await turnIds(h, threadId), `${when}: the engine reads Codex's turn after the kept history`).to.deep.equal([
      ...kept,
      codexTurn,
    ]);
  }

  it('paginated: revert, then rollback; each time Codex (restarted, cache kept) reads our history and appends after it', async () => {
    const h = home('paginated');
    const main = mainOf(h);
    const before = await turnIds(h, main);
    const dropped = before.at(-1)!;

    const r = await engineValue(h, 'revert', main, '--before-turn-id', dropped);
    const row = codexRow(h, main);
    expect(row.rollout_path, "Codex's row names our revision").to.equal(r.written.path);
    const afterRevert = before.slice(0, -1);
    expect(await turnIds(h, main)).to.deep.equal(afterRevert);
    await codexContinues(h, main, afterRevert, 'our revert');

    // Codex's turn is now the last one; roll it and the one before back (a paginated revision).
    const withCodex = await turnIds(h, main);
    const rb = await engineValue(h, 'rollback', main, '--num-turns', '2');
    expect(codexRow(h, main).rollout_path, "Codex's row names our second revision").to.equal(rb.written.path);
    const afterRollback = withCodex.slice(0, -2);
    expect(await turnIds(h, main)).to.deep.equal(afterRollback);
    await codexContinues(h, main, afterRollback, 'our rollback');
  });

  // Without its state DB Codex 0.169.0 shows no name for a paginated thread at all, its own names
  // included (measured on the chat home: `null` where the DB said "Compat chat thread"); a legacy
  // thread's name it reads from session_index.jsonl.
  it('a name the engine sets is the name Codex shows, with its state DB (the row takes it) and without (as for names Codex set), in both modes', async () => {
    for (const mode of ['paginated', 'legacy']) {
      const h = home(mode);
      const main = mainOf(h);
      const name = `Named by the engine (${mode})`;
      await engineValue(h, 'name', main, `  ${name}  `);
      const db = openSqlite(join(h.codexHome, 'state_5.sqlite'), { readonly: true });
      try {
        // Where Codex's own rename writes it: a paginated thread's `name`, a legacy thread's `title`.
        const column = mode === 'paginated' ? 'name' : 'title';
        expect(
          (db.prepare(`SELECT ${column} AS shown FROM threads WHERE id = ?`).get(main) as { shown: string }).shown,
          "Codex's row",
        ).to.equal(name);
      } finally {
        db.close();
      }
      // A copy without the state DB: the Codex that reads it builds its cache from the files.
      const bare = join(root, `bare-${mode}`);
      cpSync(join(h.codexHome, '..'), bare, { recursive: true, preserveTimestamps: true });
      for (const f of readdirSync(join(bare, 'home')))
        if (f.startsWith('state_5.sqlite')) rmSync(join(bare, 'home', f));
      for (const codexHome of [h.codexHome, join(bare, 'home')]) {
        const codex = await openColdCodex({ ...h, codexHome, workDir: join(codexHome, '..', 'work') });
        try {
          const read = await codex.server.typed.request('thread/read', { threadId: main });
          const shown = codexHome === h.codexHome || mode === 'legacy' ? name : null;
          expect(
            read.thread.name,
            `${mode} ${codexHome === h.codexHome ? 'with' : 'without'} its state DB: thread/read`,
          ).to.equal(shown);
          const listed = await codex.server.typed.request('thread/list', {});
          expect(listed.data.find((t) => t.id === main)?.name, 'thread/list').to.equal(shown);
        } finally {
          await codex.stop();
        }
      }
    }
  });

  it("a fork the engine writes gets a row in Codex's cache as Codex's own forks do: a Codex with its cache answers its preview and model at once, in both modes", async () => {
    for (const mode of ['paginated', 'legacy']) {
      const h = home(mode);
      const main = mainOf(h);
      const forked = await engineValue<{ thread: { id: string } }>(h, 'fork', main);
      const forkId = forked.thread.id;
      const db = openSqlite(join(h.codexHome, 'state_5.sqlite'), { readonly: true });
      let row: { rollout_path: string; model: string | null; preview: string; title: string } | undefined;
      try {
        row = db
          .prepare('SELECT rollout_path, model, preview, title FROM threads WHERE id = ?')
          .get(forkId) as typeof row;
      } finally {
        db.close();
      }
      expect(row, `${mode}: Codex's row for the fork`).to.not.equal(undefined);
      expect(row!.title, 'no title of its own yet, as Codex writes a fork').to.equal('');
      const codex = await openColdCodex(h);
      try {
        const source = await codex.server.typed.request('thread/read', { threadId: main });
        const read = await codex.server.typed.request('thread/read', { threadId: forkId });
        expect(read.thread.model, `${mode}: the fork's model`).to.equal(source.thread.model).and.not.equal(null);
        expect(read.thread.preview, `${mode}: the fork's preview`).to.equal(source.thread.preview).and.not.equal('');
        expect(read.thread.path).to.equal(row!.rollout_path);
        const listed = await codex.server.typed.request('thread/list', { useStateDbOnly: true });
        expect(
          listed.data.map((t) => t.id),
          `${mode}: listed from Codex's cache`,
        ).to.include(forkId);
      } finally {
        await codex.stop();
      }
    }
  });

  // Codex 0.169.0 makes no detached review (`review/start` refuses `delivery: "detached"`), so the
  // engine's is held to what Codex makes of a fork and of its own review sub-agents: the fork's row
  // with the review sub-agent's source. Without its cache, Codex reads a paginated review thread's
  // preview as `""` (no user message in its own file) and does not list it, as it reads a fork
  // without a turn; a legacy one holds the copied history, first message included.
  it('a detached review the engine starts gets a row in Codex cache: Codex answers its model and preview, lists it, resumes it and continues it, in both modes', async () => {
    for (const mode of ['paginated', 'legacy']) {
      const h = home(mode);
      const main = mainOf(h);
      const review = await engineValue<{ reviewThreadId: string }>(
        h,
        'review',
        main,
        '--uncommitted',
        '--delivery',
        'detached',
      );
      const id = review.reviewThreadId;
      const db = openSqlite(join(h.codexHome, 'state_5.sqlite'), { readonly: true });
      let row: { source: string; thread_source: string | null; title: string } | undefined;
      try {
        row = db.prepare('SELECT source, thread_source, title FROM threads WHERE id = ?').get(id) as typeof row;
      } finally {
        db.close();
      }
      expect(row, `${mode}: Codex's row for the review thread`).to.deep.equal({
        source: '{"subagent":"review"}',
        thread_source: 'subagent',
        title: '',
      });
      const bare = join(root, `bare-review-${mode}`);
      cpSync(join(h.codexHome, '..'), bare, { recursive: true, preserveTimestamps: true });
      for (const f of readdirSync(join(bare, 'home')))
        if (f.startsWith('state_5.sqlite')) rmSync(join(bare, 'home', f));
      for (const codexHome of [h.codexHome, join(bare, 'home')]) {
        const cached = codexHome === h.codexHome;
        const ownless = !cached && mode === 'paginated';
        const codex = await openColdCodex({ ...h, codexHome, workDir: join(codexHome, '..', 'work') });
        try {
          const source = await codex.server.request<{ thread: { preview: string; model: string | null } }>(
            'thread/read',
            { threadId: main },
          );
          const read = await codex.server.request<{
            thread: { preview: string; model: string | null; parentThreadId: string | null };
          }>('thread/read', { threadId: id });
          const how = `${mode}, ${cached ? 'with' : 'without'} its state DB`;
          expect(read.thread.model, `${how}: the review thread's model`)
            .to.equal(source.thread.model)
            .and.not.equal(null);
          expect(read.thread.parentThreadId, how).to.equal(main);
          expect(read.thread.preview, `${how}: the review thread's preview`).to.equal(
            ownless ? '' : source.thread.preview,
          );
          const listed = await codex.server.request<{ data: Array<{ id: string }> }>('thread/list', {
            sourceKinds: ['subAgentReview'],
            useStateDbOnly: true,
          });
          expect(
            listed.data.some((t) => t.id === id),
            `${how}: listed (Codex lists only threads with a preview)`,
          ).to.equal(!ownless);
        } finally {
          await codex.stop();
        }
      }
      // Resumed, Codex shows the review turn the engine started as ours does (interrupted: nothing runs it), and continues after it.
      await codexContinues(h, id, await turnIds(h, id), `the engine's detached review (${mode})`);
    }
  });

  it('legacy: a rollback marker in the same file; Codex (cache kept) reads it and continues after it', async () => {
    const h = home('legacy');
    const main = mainOf(h);
    const before = await turnIds(h, main);
    const path = codexRow(h, main).rollout_path;
    await engineValue(h, 'rollback', main, '--num-turns', '2');
    expect(codexRow(h, main).rollout_path, 'the current file stays').to.equal(path);
    await codexContinues(h, main, before.slice(0, -2), 'our legacy rollback');
  });

  it('a thread a running Codex has loaded is refused (revert, rollback, inline review), and nothing is written', async () => {
    for (const mode of ['paginated', 'legacy']) {
      const h = home(mode);
      const main = mainOf(h);
      const turns = await turnIds(h, main);
      const files = rolloutFiles(h);
      const row = codexRow(h, main);
      let codex: ColdCodex | undefined;
      try {
        codex = await openColdCodex(h);
        await codex.server.request('thread/resume', { threadId: main, excludeTurns: true });
        const pid = String(codex.server.codexPid);
        const refusals = [
          await engineRefusal(h, 'rollback', main, '--num-turns', '1'),
          await engineRefusal(h, 'review', main, '--custom', 'Review the README.'),
        ];
        if (mode === 'paginated')
          refusals.push(await engineRefusal(h, 'revert', main, '--before-turn-id', turns.at(-1)!));
        for (const said of refusals)
          expect(said, mode).to.include(`thread ${main} is open in a running Codex (pid ${pid} holds its writer lock)`);
      } finally {
        await codex?.stop();
      }
      expect(rolloutFiles(h), `${mode}: no revision file`).to.deep.equal(files);
      expect(codexRow(h, main).rollout_path, `${mode}: Codex's row`).to.equal(row.rollout_path);
      expect(await turnIds(h, main), `${mode}: history`).to.deep.equal(turns);
      // Once that Codex is gone, the same change goes through.
      await engineValue(h, 'rollback', main, '--num-turns', '1');
      expect(await turnIds(h, main)).to.deep.equal(turns.slice(0, -1));
    }
  });
});
