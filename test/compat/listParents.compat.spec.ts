// Issue 69: a sub-agent's `parentThreadId` in `thread/list` rows, as codex app-server 0.169.0 answers
// it next to ours, by `modelProviders`, a cwd filter and the sort key. The homes: the review
// scenario's (two review sub-agents) and the rich scenario's (three spawned sub-agents, one a
// multi-agent v2 one), both history modes, written by the real binary; each read with the state DB
// the live Codex left (its spawn edges), with that DB's spawn edges deleted (a Codex that never
// recorded them), and without a DB (Codex builds it from the files); and the review home's threads
// all archived by hand (Codex's flat archived_sessions). Measured rule: Codex's file scan lists a
// sub-agent with the parent its session_meta names only where a filter makes it read the file's
// meta (a provider, named or the configured one, or a cwd); with `modelProviders: []` and no cwd,
// its rows are its state DB's, which hold no parent (`null`), as on its state-DB paths and by
// recency_at; the spawn edges play no part. Where: codex-rs/rollout/src/recorder.rs
// (`list_threads_with_db_fallback`: without `listing_has_metadata_filters`, i.e. no provider, cwd
// or search term, the page is its state DB's) and
// codex-rs/app-server/src/request_processors/thread_processor.rs (`thread_list`: `[]` is no filter).
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { expect } from 'chai';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { openColdCodex } from './compatHomes.js';
import { ALL_SOURCE_KINDS } from './historyComparison.js';
import { freshRoot } from './mutationHarness.js';
import { buildCompatHomes } from './scenarios.js';
import type { CompatHome } from './scenarios.js';

type DbState = 'as left' | 'no spawn edges' | 'no state DB' | 'archived, no state DB';
const DB_STATES: readonly DbState[] = ['as left', 'no spawn edges', 'no state DB', 'archived, no state DB'];

/** The lists asked: each sort key by each provider filter, and every provider with a cwd. */
const queries = (workDir: string, archived: boolean): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = [];
  for (const sortKey of ['created_at', 'updated_at', 'recency_at'])
    for (const filter of [
      {},
      { modelProviders: null },
      { modelProviders: [] },
      { modelProviders: ['mock'] },
      { modelProviders: ['mock', 'openai'] },
      { modelProviders: [], cwd: workDir },
    ])
      out.push({ sourceKinds: ALL_SOURCE_KINDS, sortKey, archived, limit: 100, ...filter });
  return out;
};

type Row = { id: string; parentThreadId: string | null };

/** A list answer's rows (id, parent), by id: the order is compared elsewhere (threadOrder, listProviders). */
const rowsOf = (answer: unknown): Row[] =>
  (answer as { data: Row[] }).data
    .map((t) => ({ id: t.id, parentThreadId: t.parentThreadId }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

/** A copy of the home in `to` (its times kept), with its state DB as `state` says. */
const homeIn = (h: CompatHome, to: string, state: DbState): CompatHome => {
  cpSync(join(h.codexHome, '..'), to, { recursive: true, preserveTimestamps: true });
  const home: CompatHome = { ...h, codexHome: join(to, 'home'), workDir: join(to, 'work') };
  const dbPath = join(home.codexHome, 'state_5.sqlite');
  if (state === 'as left' || state === 'no spawn edges') {
    const db = openSqlite(dbPath, { mustExist: false });
    try {
      // The copy's rows name its own files (Codex reads a row's rollout_path).
      db.prepare('UPDATE threads SET rollout_path = replace(rollout_path, ?, ?)').run(h.codexHome, home.codexHome);
      if (state === 'no spawn edges') db.prepare('DELETE FROM thread_spawn_edges').run();
    } finally {
      db.close();
    }
  } else for (const f of ['', '-wal', '-shm']) rmSync(`${dbPath}${f}`, { force: true });
  if (state === 'archived, no state DB') {
    const archive = join(home.codexHome, 'archived_sessions');
    mkdirSync(archive, { recursive: true });
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.jsonl')) renameSync(join(d, e.name), join(archive, e.name));
    };
    walk(join(home.codexHome, 'sessions'));
  }
  return home;
};

describe("compat: a sub-agent's parentThreadId in thread/list rows by provider and cwd filter (codex app-server 0.169.0)", function () {
  this.timeout(600_000);
  let root: string;
  let built: CompatHome[];

  before(async function () {
    this.timeout(300_000);
    root = freshRoot();
    built = await buildCompatHomes(join(root, 'built'), { scenarios: ['review', 'rich'], concurrency: 2 });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const key of ['review-legacy', 'review-paginated', 'rich-legacy', 'rich-paginated'])
    for (const state of DB_STATES) {
      if (state === 'archived, no state DB' && !key.startsWith('review')) continue;
      it(`${key}, ${state}: every list's rows name the parent Codex's do`, async () => {
        const h = built.find((b) => b.key === key)!;
        const home = homeIn(h, mkdtempSync(join(root, `${key}-`)), state);
        const indexDir = mkdtempSync(join(tmpdir(), 'compat-parents-index-'));
        const codex = await openColdCodex(home);
        let ours: StdioRpcClient | undefined;
        const differing: string[] = [];
        const parents = { named: 0, null: 0 };
        const dbBuiltFromFiles = h.mode === 'paginated' && state.endsWith('no state DB');
        let leftOut = 0;
        const asked = queries(h.workDir, state === 'archived, no state DB');
        try {
          ours = await initializedServe(home.codexHome, {
            clientInfo: { name: 'compat', version: '0' },
            capabilities: { experimentalApi: true },
            args: ['--index-dir', indexDir],
          });
          for (const q of asked) {
            const c = rowsOf(await codex.server.request('thread/list', q));
            const answer = await ours.request('thread/list', q);
            if (!('result' in answer))
              throw new Error(`thread/list ${JSON.stringify(q)}: ${JSON.stringify(answer.error)}`);
            // A paginated sub-agent without a user message of its own has a preview in ours (its
            // history's first), "" in a state DB Codex built from the files, which then does not list
            // it on its DB paths: the documented preview choice (forkPreview.compat), left out here.
            const ourRows = rowsOf(answer.result);
            const o = dbBuiltFromFiles ? ourRows.filter((r) => c.some((x) => x.id === r.id)) : ourRows;
            leftOut += ourRows.length - o.length;
            for (const r of c) parents[r.parentThreadId === null ? 'null' : 'named'] += 1;
            if (JSON.stringify(c) !== JSON.stringify(o))
              differing.push(
                `${JSON.stringify({ ...q, sourceKinds: 'all' })}\n  codex ${JSON.stringify(c)}\n  ours  ${JSON.stringify(o)}`,
              );
          }
        } finally {
          await ours?.close();
          await codex.stop();
          rmSync(indexDir, { recursive: true, force: true });
        }
        process.stderr.write(
          `  ${key}, ${state}: ${asked.length - differing.length}/${asked.length} lists equal (Codex's rows: ${parents.named} with a parent, ${parents.null} without; rows Codex's DB holds without a preview left out: ${leftOut})\n`,
        );
        // The test can fail: Codex names a parent on some rows (a sub-agent listed with a filter).
        expect(parents.named, 'rows Codex listed with a parent').to.be.greaterThan(0);
        expect(differing, differing.join('\n')).to.deep.equal([]);
      });
    }
});
