// A paginated thread's name where Codex's state DB holds none: Codex 0.169 answers a paginated
// thread's name from its state-DB row's `name` column alone (a legacy thread's from
// session_index.jsonl), and the row its backfill builds from the files holds none. So a named
// paginated thread answers `name: null` on every list and read once its DB was rebuilt (a DB
// removed, or one older Codex left without the column), whatever session_index.jsonl says; its
// file scan's search still finds it by that name (`filter_thread_items_by_search_term`). The homes:
// the chat scenario's (its thread named twice by the real binary), copied, with Codex's state DB
// removed, or kept with the thread's `name` emptied.
import { expect } from 'chai';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { BUILD_TIMEOUT_MS, sharedCompatHomes } from './compatHomes.js';
import { compareHome } from './historyComparison.js';
import type { Step } from './historyComparison.js';
import { freshRoot } from './mutationHarness.js';
import type { CompatHome } from './scenarios.js';

const STATE_DB = ['state_5.sqlite', 'state_5.sqlite-wal', 'state_5.sqlite-shm'];

/** Lists by each path (file scan, state DB) and searches by the name and by the first message. */
const LIST_STEPS: Step[] = [
  ['configured provider', {}],
  ['from the state DB', { useStateDbOnly: true }],
  ['every provider, every kind', { modelProviders: [], sourceKinds: ['cli', 'vscode', 'exec', 'appServer'] }],
  ['search by the name', { searchTerm: 'chat thread' }],
  ['search by the first message', { searchTerm: 'fact number 1' }],
].map(([label, params]) => ({
  label: `list ${label as string}`,
  method: 'thread/list',
  params: { limit: 50, ...(params as Record<string, unknown>) },
}));

const HOW = {
  'no state DB': (codexHome: string): void => {
    for (const f of STATE_DB) rmSync(join(codexHome, f), { force: true });
  },
  'no name in the state DB': (codexHome: string, from: string): void => {
    const db = openSqlite(join(codexHome, STATE_DB[0]!));
    try {
      // The copy's rows name its own files (the DB holds absolute paths).
      db.prepare('UPDATE threads SET name = NULL, rollout_path = replace(rollout_path, ?, ?)').run(from, codexHome);
    } finally {
      db.close();
    }
  },
} as const;

describe('compat: a named paginated thread whose state-DB row holds no name (codex app-server 0.169.0, cold)', function () {
  this.timeout(600_000);
  let root: string;
  const homes = new Map<string, CompatHome>();

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    root = freshRoot();
    const fixture = await sharedCompatHomes();
    for (const key of ['chat-legacy', 'chat-paginated'])
      for (const [how, edit] of Object.entries(HOW)) {
        const built = fixture.homes.find((h) => h.key === key)!;
        const to = join(root, `${key}-${how.replaceAll(' ', '-')}`);
        cpSync(join(built.codexHome, '..'), to, { recursive: true, preserveTimestamps: true });
        const codexHome = join(to, 'home');
        edit(codexHome, built.codexHome);
        homes.set(`${key}, ${how}`, { ...built, codexHome, workDir: join(to, 'work') });
      }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const key of ['chat-legacy', 'chat-paginated'])
    for (const how of Object.keys(HOW))
      it(`${key}, ${how}: its name on every list and read equals codex's`, async () => {
        const home = homes.get(`${key}, ${how}`)!;
        const { compared, problems, byMethod } = await compareHome(home, { extraListSteps: LIST_STEPS });
        process.stdout.write(
          `      ${key}, ${how}: ${compared} answers compared; equal: ${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')}\n`,
        );
        expect(compared, 'answers compared').to.be.greaterThan(0);
        if (problems.length > 0)
          expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
      });
});
