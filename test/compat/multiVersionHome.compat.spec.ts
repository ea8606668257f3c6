// A home written by ten older Codex versions (0.20.0 … 0.150.0), read cold by the real
// `codex app-server` 0.169.0 and by `rollout-engine serve`: the history API answers compared, per
// version, twice — with the state DB the older versions left, and with it rebuilt from the files.
// Three versions' threads share one second, their times against their id order (ONE_SECOND_VERSIONS).
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import { AppServerError } from './appServer.js';
import { openColdCodex } from './compatHomes.js';
import { compareHome, type HomeComparison } from './historyComparison.js';
import {
  buildMultiVersionHome,
  OLDER_VERSIONS,
  ONE_SECOND_VERSIONS,
  type MultiVersionHome,
} from './multiVersionHome.js';
import { discoverRollouts } from './scenarios.js';
import { sessionTimeMs } from './sessionTime.js';

/** Codex ≤ 0.31 wrote no envelope: Codex 0.169 cannot read the meta (docs/compatibility.md, "Homes older Codex versions wrote"). */
const PRE_ENVELOPE = new Set(['0.20.0', '0.29.0']);
/** Paginated history of a version before 0.169: Codex answers it from the history DB that version wrote. */
const PAGINATED_BEFORE = '0.150.0';

/**
 * Where Codex 0.169 answers from the DB an older version wrote (`state_5.sqlite` rows and
 * `thread_history_1.sqlite` items of 0.150.0) and we from the file: that DB has no item times and
 * no originator. Measured: `startedAtMs`/`completedAtMs` null on every item of 0.150.0's thread,
 * `originator` null on its `useStateDbOnly` list rows; the file holds them. And a page asked with
 * `deferOutput` gets the command's output in place from that DB (`aggregatedOutput` given, no
 * `outputDeferred`), where from its own DB Codex defers it as we do (the scenario homes).
 */
const FROM_OLDER_DB = /(?:^|\.)(?:startedAtMs|completedAtMs|originator|aggregatedOutput|outputDeferred)$/;

const removeStateDbs = (codexHome: string): void => {
  for (const name of readdirSync(codexHome))
    if (name.endsWith('.sqlite') || name.includes('.sqlite-')) rmSync(join(codexHome, name), { force: true });
};

const equalCount = (c: HomeComparison, threadIds: ReadonlyArray<string>): { compared: number; equal: number } =>
  threadIds.reduce(
    (acc, id) => ({
      compared: acc.compared + (c.byThread.get(id)?.compared ?? 0),
      equal: acc.equal + (c.byThread.get(id)?.equal ?? 0),
    }),
    {
      compared: 0,
      equal: 0,
    },
  );

describe('compat: a home older Codex versions wrote (rollout-engine serve vs codex app-server 0.169.0, cold)', function () {
  this.timeout(600_000);
  let root: string;
  let home: MultiVersionHome;
  const idsOf = (pick: (version: string) => boolean): string[] =>
    [...home.versionOf].filter(([, v]) => pick(v)).map(([id]) => id);

  before(async function () {
    root = mkdtempSync(join(tmpdir(), 'compat-multi-version-'));
    home = await buildMultiVersionHome(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('each version wrote one thread into the one home', () => {
    expect([...home.versionOf.values()]).to.deep.equal(OLDER_VERSIONS.map((v) => v.version));
  });

  it(`${ONE_SECOND_VERSIONS.join(', ')} created their threads in one second, their times against their id order`, () => {
    const files = discoverRollouts(home.codexHome).filter((r) =>
      ONE_SECOND_VERSIONS.includes(home.versionOf.get(r.threadId) ?? ''),
    );
    expect(files).to.have.length(ONE_SECOND_VERSIONS.length);
    expect(
      new Set(files.map((f) => f.path.replace(/^.*\/rollout-(.{19}).*$/, '$1'))).size,
      "the file names' second",
    ).to.equal(1);
    expect(
      new Set(files.map((f) => Math.floor(sessionTimeMs(f.path) / 1000))).size,
      "the session_meta's second",
    ).to.equal(1);
    const byId = [...files].sort((a, b) => (a.threadId < b.threadId ? -1 : 1));
    const byTime = [...files].sort((a, b) => sessionTimeMs(a.path) - sessionTimeMs(b.path));
    expect(byTime.map((f) => f.threadId)).to.deep.equal(byId.map((f) => f.threadId).reverse());
  });

  let asLeft: HomeComparison;
  it("with the state DB the older versions left: every answer on 0.34.0 … 0.120.0 threads and every list equal (state-DB lists in that DB's order within the one second); 0.150.0 differs only where Codex answers from its older DB", async () => {
    // Measured: the rows the older versions wrote (0.100.0's backfill) hold these threads' created_at
    // in whole seconds, the same for the three, migrated to milliseconds in id order within the
    // second (X.000, X.001, X.002 by id; `state/migrations/0025_thread_timestamps_millis.sql` gives
    // `created_at * 1000`, the per-id offset is measured): Codex's state-DB lists order them by id.
    const db = openSqlite(join(home.codexHome, 'state_5.sqlite'), { readonly: true });
    const oneSecond = idsOf((v) => ONE_SECOND_VERSIONS.includes(v));
    try {
      const rows = oneSecond.map((id) => ({
        id,
        ...(db.prepare('SELECT created_at, created_at_ms FROM threads WHERE id = ?').get(id) as {
          created_at: number;
          created_at_ms: number;
        }),
      }));
      expect(new Set(rows.map((r) => r.created_at)).size, "the DB's created_at").to.equal(1);
      expect(rows.map((r) => Math.floor(r.created_at_ms / 1000))).to.deep.equal(rows.map((r) => r.created_at));
      expect([...rows].sort((a, b) => a.created_at_ms - b.created_at_ms).map((r) => r.id)).to.deep.equal(
        [...oneSecond].sort(),
      );
    } finally {
      db.close();
    }
    asLeft = await compareHome(home, {
      unreadableByCodex: new Set(idsOf((v) => PRE_ENVELOPE.has(v))),
      inStateDbOrder: true,
    });
    const paginated = idsOf((v) => v === PAGINATED_BEFORE)[0];
    const unexplained = asLeft.differences.filter(
      (d) => !(d.threadId === paginated || d.threadId === undefined) || !d.paths.every((p) => FROM_OLDER_DB.test(p)),
    );
    const legacy = equalCount(
      asLeft,
      idsOf((v) => !PRE_ENVELOPE.has(v) && v !== PAGINATED_BEFORE),
    );
    process.stdout.write(
      `      as left: ${asLeft.compared} answers compared, ${asLeft.compared - asLeft.differences.length} equal; 0.34.0–0.120.0 threads ${legacy.equal} of ${legacy.compared}; ${asLeft.differences.length - unexplained.length} differ where Codex reads 0.150.0's DB; ${asLeft.reordered.length} state-DB list pages compared in the older DB's order:\n        ${asLeft.reordered.join('\n        ')}\n      walks compared up to a cursor a thread lies across: ${asLeft.acrossCursor.length}${asLeft.acrossCursor.map((a) => `\n        ${a}`).join('')}\n`,
    );
    // Only pages holding two of the threads of one second were out of the older DB's order.
    for (const page of asLeft.reordered)
      expect(oneSecond.filter((id) => page.includes(id)).length, page).to.be.greaterThan(1);
    expect(asLeft.reordered.length, 'state-DB list pages ordered by id within the second').to.be.greaterThan(0);
    expect(legacy.compared, 'answers compared on 0.34.0–0.120.0 threads').to.be.greaterThan(100);
    expect(unexplained.map((d) => `${d.label}: ${d.paths.join(', ')}`)).to.deep.equal([]);
    expect(legacy.equal).to.equal(legacy.compared);
  });

  it("with the state DB rebuilt from the files: every answer on 0.34.0 … 0.120.0 threads and every list equal; Codex shows 0.150.0's thread without turns", async () => {
    // A copy would break the paths Codex's DB holds: rebuilt in place, after the comparison above.
    expect(asLeft, 'the comparison with the DB as left ran first').to.not.equal(undefined);
    removeStateDbs(home.codexHome);
    const paginated = idsOf((v) => v === PAGINATED_BEFORE)[0]!;
    const c = await compareHome(home, {
      unreadableByCodex: new Set(idsOf((v) => PRE_ENVELOPE.has(v))),
      notAsked: new Set([paginated]),
    });
    const legacy = equalCount(
      c,
      idsOf((v) => !PRE_ENVELOPE.has(v) && v !== PAGINATED_BEFORE),
    );
    process.stdout.write(
      `      DB rebuilt: ${c.compared} answers compared, ${c.compared - c.differences.length} equal; 0.34.0–0.120.0 threads ${legacy.equal} of ${legacy.compared}; walks compared up to a cursor a thread lies across: ${c.acrossCursor.length}${c.acrossCursor.map((a) => `\n        ${a}`).join('')}\n`,
    );
    // Codex's backfill dates each thread by its file's mtime (issue 69), and so do ours: every list equal.
    expect(c.problems).to.deep.equal([]);
    expect(legacy.equal).to.equal(legacy.compared);
    // Measured: without the history DB 0.150.0 wrote, Codex 0.169 answers that thread with no turns; ours reads the file's.
    const codex = await openColdCodex(home);
    try {
      const read = await codex.server.request<{ thread: { turns: unknown[] } }>('thread/read', {
        threadId: paginated,
        includeTurns: true,
      });
      expect(read.thread.turns).to.deep.equal([]);
    } finally {
      await codex.stop();
    }
  });

  // Issue 69: the same home as users configure theirs: no config.toml (Codex's default provider,
  // `openai`) and a custom provider; the lists asked again over every provider (`modelProviders: []`).
  for (const [name, config] of [
    ['no config.toml', null],
    [
      'a custom model_provider',
      (port: number) =>
        `model_provider = "acme"\n\n[model_providers.acme]\nname = "Acme"\nbase_url = "http://127.0.0.1:${port}/v1"\nwire_api = "responses"\n`,
    ],
  ] as const)
    it(`with ${name} (DB rebuilt): every answer on 0.34.0 … 0.120.0 threads and every list equal`, async () => {
      removeStateDbs(home.codexHome);
      const paginated = idsOf((v) => v === PAGINATED_BEFORE)[0]!;
      const c = await compareHome(home, {
        unreadableByCodex: new Set(idsOf((v) => PRE_ENVELOPE.has(v))),
        notAsked: new Set([paginated]),
        config,
        listParams: { modelProviders: [] },
      });
      const legacy = equalCount(
        c,
        idsOf((v) => !PRE_ENVELOPE.has(v) && v !== PAGINATED_BEFORE),
      );
      process.stdout.write(
        `      ${name}: ${c.compared} answers compared, ${c.compared - c.differences.length} equal; 0.34.0–0.120.0 threads ${legacy.equal} of ${legacy.compared}\n`,
      );
      expect(c.problems).to.deep.equal([]);
      expect(legacy.compared, 'answers compared on 0.34.0–0.120.0 threads').to.be.greaterThan(100);
      expect(legacy.equal).to.equal(legacy.compared);
    });

  it('threads from before the envelope (Codex ≤ 0.31): Codex cannot read them; ours reads each, its prompt and answer as one turn', async () => {
    const codex = await openColdCodex(home);
    const indexDir = mkdtempSync(join(tmpdir(), 'compat-multi-version-index-'));
    const ours = await initializedServe(home.codexHome, {
      clientInfo: { name: 'compat', version: '0' },
      capabilities: {},
      args: ['--index-dir', indexDir],
    }).catch(async (err: unknown) => {
      await codex.stop(); // the failure is thrown, not left running
      throw err;
    });
    try {
      for (const id of idsOf((v) => PRE_ENVELOPE.has(v))) {
        const version = home.versionOf.get(id)!;
        const refused = await codex.server.request('thread/read', { threadId: id, includeTurns: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(refused, `codex on ${version}'s thread`).to.be.instanceOf(AppServerError);
        expect((refused as AppServerError).rpcMessage).to.match(/failed to read session metadata/);
        const answer = await ours.request('thread/read', { threadId: id, includeTurns: true });
        expect('result' in answer, `ours on ${version}'s thread: ${JSON.stringify(answer)}`).to.equal(true);
        const thread = (
          answer as {
            result: {
              thread: {
                source: unknown;
                turns: Array<{ items: Array<{ type: string; content?: Array<{ text?: string }>; text?: string }> }>;
              };
            };
          }
        ).result.thread;
        expect(thread.source, 'listed only among unknown sources, as Codex does not list it').to.equal('unknown');
        expect(thread.turns).to.have.length(1);
        const items = thread.turns[0]!.items;
        expect(items.find((i) => i.type === 'userMessage')?.content?.[0]?.text).to.equal(`Hello from ${version}`);
        // A last line without a newline would be taken as still being written (docs/compatibility.md): these versions end theirs.
        expect(
          readFileSync(discoverRollouts(home.codexHome).find((r) => r.threadId === id)!.path, 'utf8').endsWith('\n'),
          `${version}'s file ends with a newline`,
        ).to.equal(true);
        const said = items.find((i) => i.type === 'agentMessage')?.text;
        expect(said).to.match(new RegExp(`^Answer #\\d+ to "Hello from ${version.replace(/\./g, '\\.')}"$`));
      }
    } finally {
      await ours.close();
      await codex.stop();
      rmSync(indexDir, { recursive: true, force: true });
    }
  });
});
