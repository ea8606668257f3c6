// Threads created in one second, paged by `thread/list` (its file scan and its state DB) and
// `thread/search`, on the real `codex app-server` 0.169.0 and on `rollout-engine serve`, both cold.
// Which threads share a second is set here, not left to the clock: the five threads of the
// `fork-legacy` home (written by the real binary) are given session times on purpose — some in one
// second with times running against their ids, one at a second's last millisecond, one at the
// next second's first, one exactly on a second, one a millisecond past one — as Codex itself would
// read them: each file's session_meta `timestamp` (payload and line) and its file name's time,
// which Codex writes from one clock reading (`codex-rs/rollout/src/recorder.rs`,
// `precompute_new_rollout_path`). Codex's state DB is removed, so Codex builds its rows from the
// files (`codex-rs/rollout/src/metadata.rs`, `builder_from_session_meta`: created_at is the
// session_meta timestamp, to the millisecond), and its readings are the lines' exactly: every page,
// cursor and `createdAt` must be equal, with no clock to explain. The rules are in
// replay/internal/threadListCursor.ts.
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServerError } from './appServer.js';
import { BUILD_TIMEOUT_MS, compatHome, openColdCodex, sharedCompatHomes, type CompatFixture } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { sessionTimeMs, setSessionTime, shiftFileNameTime } from './sessionTime.js';

const HOUR = 3_600_000;

/**
 * Each thread's session time, in ms after the first thread's original second, by the thread's
 * place in id order (the home's five UUIDv7 ids sort in the order the live run created them).
 */
const PLANS: ReadonlyArray<{
  readonly name: string;
  readonly offsets: readonly [number, number, number, number, number];
  /**
   * How far each file name's time lies from its session's second (ms): its writer's offset from UTC
   * (Codex names a file in local time); none: the names are the sessions' UTC seconds.
   */
  readonly nameShifts?: readonly [number, number, number, number, number];
  /** The thread (by place in id order) whose file name's time is no time (hour 25), as a hand-edited or foreign file may hold. */
  readonly unparseableName?: number;
}> = [
  // Three in one second against their id order, one at its last millisecond, one at the next second's first.
  { name: 'against ids, a second boundary', offsets: [900, 700, 500, 999, 1000] },
  // One exactly on a second (a search cursor of that second names it), others apart.
  { name: 'on a second', offsets: [4000, 4500, 6000, 3200, 5500] },
  // A second's last, first and second milliseconds: where the backwards cursors (second ∓ 1 ms) fall.
  { name: 'at the backwards cursors', offsets: [1001, 1000, 2000, 1999, 999] },
  // Writers in several time zones: the names' times run against the sessions' (UTC+5 … UTC+3, two
  // UTC-2 h names landing in one second with the sessions a second apart).
  {
    name: 'names in other time zones',
    offsets: [100, 1200, 2300, 3400, 4500],
    nameShifts: [5 * HOUR, 4 * HOUR, 3 * HOUR, -2 * HOUR - 2000, -2 * HOUR - 3000],
  },
  // A DST change: every other writer an hour behind, the names crossing the sessions.
  {
    name: 'names across a DST change',
    offsets: [0, 1_200_000, 2_400_000, 3_600_500, 4_800_000],
    nameShifts: [0, -HOUR, 0, -HOUR, 0],
  },
  // A name whose time does not parse: Codex's file scan passes the file by, its state DB lists it.
  { name: 'a name at hour 25', offsets: [0, 1000, 2000, 3000, 4000], unparseableName: 2 },
];

/** The queries: each walked with `limit` 1 by its own next cursors, and back from every page both ways. */
const QUERIES: ReadonlyArray<{ readonly method: string; readonly params: Record<string, unknown> }> = [
  { method: 'thread/list', params: {} },
  // Every provider: Codex's rows are its state DB's there (listParents.compat), its order and cursors its file scan's.
  { method: 'thread/list', params: { modelProviders: [] } },
  { method: 'thread/list', params: { useStateDbOnly: true } },
  { method: 'thread/list', params: { searchTerm: 'fact' } },
  { method: 'thread/search', params: { searchTerm: 'fact' } },
];

/** Pages a walk follows at most (Codex's ascending thread/search comes back to its first row for ever). */
const MAX_PAGES = 7;

/**
 * A copy of `fork-legacy` without Codex's state DB, its threads' session times set to `offsets`;
 * its CODEX_HOME and work dir.
 */
function plannedHome(
  source: { readonly codexHome: string; readonly workDir: string },
  root: string,
  offsets: readonly number[],
  nameShifts?: readonly number[],
  unparseableName?: number,
): { codexHome: string; workDir: string } {
  const dst = mkdtempSync(join(root, 'home-'));
  cpSync(join(source.codexHome, '..'), dst, { recursive: true, preserveTimestamps: true });
  const codexHome = join(dst, basename(source.codexHome));
  for (const f of readdirSync(codexHome)) if (f.startsWith('state_5.sqlite')) rmSync(join(codexHome, f));
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')) files.push(join(d, e.name));
    }
  };
  walk(join(codexHome, 'sessions'));
  const threads = files
    .map((path) => ({
      path,
      id: (JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as { payload: { id: string } }).payload.id,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  expect(threads.length, 'the fork-legacy home holds five threads').to.equal(offsets.length);
  const base = Math.floor(sessionTimeMs(threads[0]!.path) / 1000) * 1000;
  threads.forEach(({ path }, i) => {
    const at = setSessionTime(path, base + offsets[i]!);
    if (nameShifts !== undefined) shiftFileNameTime(at, nameShifts[i]!);
    // rollout-YYYY-MM-DDT<hh>-mm-ss-…: the hour made 25.
    if (i === unparseableName)
      renameSync(at, join(dirname(at), `${basename(at).slice(0, 19)}25${basename(at).slice(21)}`));
  });
  return { codexHome, workDir: join(dst, 'work') };
}

type Ask = (method: string, params: Record<string, unknown>) => Promise<RpcAnswer>;

/** What a page says of order and cursors: its threads (id, createdAt), its two cursors. */
const pageShape = (a: RpcAnswer): unknown => {
  if (!('result' in a)) return a;
  const r = a.result as {
    data: Array<{ id?: string; createdAt?: number; thread?: { id: string; createdAt: number } }>;
    nextCursor: unknown;
    backwardsCursor: unknown;
  };
  return {
    threads: r.data.map((d) => {
      const t = d.thread ?? d;
      return { id: t.id, createdAt: t.createdAt };
    }),
    nextCursor: r.nextCursor,
    backwardsCursor: r.backwardsCursor,
  };
};

/** Every answer of the queries, labelled: the walks and the pages back from each. */
const answersOf = async (ask: Ask): Promise<Array<{ label: string; answer: unknown }>> => {
  const out: Array<{ label: string; answer: unknown }> = [];
  for (const q of QUERIES)
    for (const sortDirection of ['desc', 'asc']) {
      let params: Record<string, unknown> = { ...q.params, limit: 1, sortDirection };
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const a = await ask(q.method, params);
        const label = `${q.method} ${JSON.stringify(q.params)} ${sortDirection} page ${page}`;
        out.push({ label, answer: pageShape(a) });
        if (!('result' in a)) break;
        const { nextCursor, backwardsCursor } = a.result as {
          nextCursor: string | null;
          backwardsCursor: string | null;
        };
        if (backwardsCursor !== null)
          for (const back of ['desc', 'asc'])
            out.push({
              label: `${label} back ${back}`,
              answer: pageShape(
                await ask(q.method, { ...q.params, limit: 3, sortDirection: back, cursor: backwardsCursor }),
              ),
            });
        if (nextCursor === null) break;
        params = { ...params, cursor: nextCursor };
      }
    }
  return out;
};

describe('compat: threads in one second, paged (rollout-engine serve vs codex app-server 0.169.0, cold, no state DB)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;
  let root: string;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
    root = mkdtempSync(join(tmpdir(), 'compat-thread-order-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const plan of PLANS)
    it(`${plan.name} (${plan.offsets.join(', ')} ms${plan.nameShifts ? `; names ${plan.nameShifts.map((s) => s / 1000).join(', ')} s apart` : ''}): every page, cursor and createdAt equal codex's`, async () => {
      const home = plannedHome(
        compatHome(fixture, 'fork-legacy'),
        root,
        plan.offsets,
        plan.nameShifts,
        plan.unparseableName,
      );
      const codex = await openColdCodex(home);
      let codexAnswers: Array<{ label: string; answer: unknown }>;
      try {
        codexAnswers = await answersOf(async (method, params) => {
          try {
            return { result: await codex.server.request(method, params) };
          } catch (error) {
            if (error instanceof AppServerError) return { error: { code: error.code, message: error.rpcMessage } };
            throw error;
          }
        });
      } finally {
        await codex.stop();
      }
      const indexDir = mkdtempSync(join(root, 'index-'));
      const ours: StdioRpcClient = await initializedServe(home.codexHome, {
        clientInfo: { name: 'compat', version: '0' },
        args: ['--index-dir', indexDir],
      });
      let ourAnswers: Array<{ label: string; answer: unknown }>;
      try {
        ourAnswers = await answersOf((method, params) => ours.request(method, params));
      } finally {
        await ours.close();
      }
      // The walks met threads in one second and the pages back from them.
      const withThreads = codexAnswers.filter((a) => JSON.stringify(a.answer).includes('"threads":[{'));
      expect(withThreads.length, 'pages with threads').to.be.greaterThan(40);
      const problems: string[] = [];
      expect(
        ourAnswers.map((a) => a.label),
        'the same pages asked',
      ).to.deep.equal(codexAnswers.map((a) => a.label));
      codexAnswers.forEach((c, i) => {
        const d = jsonDifferences(c.answer, ourAnswers[i]!.answer, 6);
        if (d.length > 0) problems.push(`${c.label}\n${describeDifferences(d)}`);
      });
      if (problems.length > 0)
        expect.fail(
          `${problems.length} of ${codexAnswers.length} answers differ:\n${problems.slice(0, 12).join('\n')}`,
        );
    });
});
