// thread/search of `rollout-engine serve` against the real `codex app-server` 0.169.0, both cold on
// the same generated CODEX_HOME (chat, fork and revert scenarios, both history modes): words,
// phrases, case variants, non-ASCII, JSON-escaped characters, whitespace, no match, injected
// context, filters, sort orders, page walks that follow each server's own cursors and walks back
// from each page's backwards cursor (both directions), and errors.
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { initializedServe, handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { AppServerError, codexCommandAt, writeCodexConfig } from './appServer.js';
import { CodexSchema, answerSchema } from '../fixtures/codexSchema.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { CODEX_VERSIONS } from '../../protocol/codexVersions.js';
import { BUILD_TIMEOUT_MS, compatHome, openColdCodex, sharedCompatHomes, type CompatFixture } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { HISTORY_MODES } from './scenarios.js';
import { ClockOracle, cursorParts } from './clockOracle.js';
import { sessionTimeMs, setSessionTime } from './sessionTime.js';
import { ALL_SOURCE_KINDS } from './historyComparison.js';

interface Query {
  readonly params: Record<string, unknown>;
  /** Follow `nextCursor` (each server its own) this many more pages. */
  readonly walk?: number;
}

export const SEARCH_QUERIES: readonly Query[] = [
  // words, phrases, case variants
  { params: { searchTerm: 'fact' } },
  { params: { searchTerm: 'Answer' } },
  { params: { searchTerm: 'fact number 1' } },
  { params: { searchTerm: 'FACT NUMBER 3' } },
  { params: { searchTerm: 'tUrN aFtEr' } },
  { params: { searchTerm: 'fork' } },
  { params: { searchTerm: '  Fork of fork  ' } },
  // non-ASCII, escaped characters, whitespace that only the collapsed text has
  { params: { searchTerm: 'CAFÉ' } },
  { params: { searchTerm: 'café ✓' } },
  { params: { searchTerm: '✓' } },
  { params: { searchTerm: '"double"' } },
  { params: { searchTerm: 'backslash \\ and' } },
  { params: { searchTerm: '✓ second' } },
  { params: { searchTerm: 'line second' } },
  // the rich scenario's tool calls: arguments, results, patches, searches, sub-agent prompts, outputs
  { params: { searchTerm: 'tides' } },
  { params: { searchTerm: 'echo: hello' } },
  { params: { searchTerm: 'patched' } },
  { params: { searchTerm: 'event sourced' } },
  { params: { searchTerm: 'Sub-agent' } },
  { params: { searchTerm: 'slept' } },
  { params: { searchTerm: 'pixel.png' } },
  { params: { searchTerm: 'straße' } },
  { params: { searchTerm: 'STRASSE' } },
  { params: { searchTerm: 'σίσυφος' } },
  { params: { searchTerm: 'FILE' } },
  // text Codex injects as user messages (environment context) is searched too
  { params: { searchTerm: '<cwd>' } },
  // no match
  { params: { searchTerm: 'zqxj-no-such-text' } },
  // filters
  { params: { searchTerm: 'fact', archived: true } },
  { params: { searchTerm: 'fact', sourceKinds: ['exec'] } },
  { params: { searchTerm: 'fact', sourceKinds: ALL_SOURCE_KINDS } },
  // review and spawned sub-agents (review and rich scenarios): Codex's state DB keeps no parent for them
  { params: { searchTerm: 'Review', sourceKinds: ALL_SOURCE_KINDS } },
  { params: { searchTerm: 'Sub-agent', sourceKinds: ALL_SOURCE_KINDS } },
  // orders and page walks
  { params: { searchTerm: 'turn', limit: 1 }, walk: 8 },
  { params: { searchTerm: 'answer', limit: 2, sortDirection: 'asc' }, walk: 8 },
  { params: { searchTerm: 'fact', limit: 2, sortKey: 'updated_at' }, walk: 8 },
  { params: { searchTerm: 'turn', limit: 2, sortKey: 'recency_at', sortDirection: 'asc' }, walk: 8 },
  // errors
  { params: { searchTerm: '' } },
  { params: { searchTerm: '   ' } },
  { params: { searchTerm: 'fact', cursor: 'not-a-cursor' } },
];

type Ask = (params: Record<string, unknown>) => Promise<RpcAnswer>;

/** Asks Codex `method` with `extra` params added; its refusal as an error answer. */
const codexAsker =
  (codex: Awaited<ReturnType<typeof openColdCodex>>, method: string, extra: Record<string, unknown> = {}): Ask =>
  async (params) => {
    try {
      return { result: await codex.server.request(method, { ...extra, ...params }) };
    } catch (error) {
      if (error instanceof AppServerError) return { error: { code: error.code, message: error.rpcMessage } };
      throw error;
    }
  };

const walk = async (ask: Ask, q: Query): Promise<RpcAnswer[]> => {
  const pages: RpcAnswer[] = [];
  let params = q.params;
  for (let i = 0; i <= (q.walk ?? 0); i += 1) {
    const a = await ask(params);
    pages.push(a);
    const next = 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
    if (typeof next !== 'string') break;
    params = { ...q.params, cursor: next };
  }
  return pages;
};

const backwardsCursorOf = (a: RpcAnswer): string | null => {
  const back = 'result' in a ? (a.result as { backwardsCursor?: unknown }).backwardsCursor : undefined;
  return typeof back === 'string' ? back : null;
};

/** Each thread's `createdAt` in a server's search answers. */
const createdAtOf = (answers: ReadonlyArray<RpcAnswer>): Map<string, number> => {
  const created = new Map<string, number>();
  for (const a of answers)
    for (const r of 'result' in a
      ? (a.result as { data: Array<{ thread: { id: string; createdAt: number } }> }).data
      : [])
      created.set(r.thread.id, r.thread.createdAt);
  return created;
};

/**
 * Threads whose two clocks fell on either side of a second: Codex's `createdAt` (its state DB's
 * reading) a second before ours (the session_meta line's). Past a created_at cursor such a thread
 * lies in a different second on each server, so the pages a created_at cursor leads to may differ.
 */
const acrossSecond = (codex: ReadonlyArray<RpcAnswer>, ours: ReadonlyArray<RpcAnswer>): string[] => {
  const ourCreated = createdAtOf(ours);
  return [...createdAtOf(codex)]
    .filter(([id, at]) => ourCreated.has(id) && ourCreated.get(id) !== at)
    .map(([id]) => id);
};

/**
 * The first page of a walk led to by next cursors a thread lies across (`ClockOracle.straddlingCursor`,
 * each server's cursor with its id), and those threads; undefined when none does.
 */
const straddledWalkPage = (
  oracles: readonly ClockOracle[],
  sortKey: unknown,
  direction: 'asc' | 'desc',
  codex: readonly RpcAnswer[],
  ours: readonly RpcAnswer[],
): { page: number; threads: string[] } | undefined => {
  const nextOf = (a: RpcAnswer | undefined): unknown =>
    a !== undefined && 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
  for (let page = 1; page < Math.min(codex.length, ours.length) + 1; page += 1) {
    const [c, o] = [cursorParts(nextOf(codex[page - 1])), cursorParts(nextOf(ours[page - 1]))];
    if (c === undefined || o === undefined) return undefined;
    const threads = [
      ...new Set(
        oracles.flatMap((at) => at.straddlingCursor(sortKey, c.ms, o.ms, direction, { codex: c.id, ours: o.id })),
      ),
    ];
    if (threads.length > 0) return { page, threads };
  }
  return undefined;
};

const compareHome = async (
  codexHome: Parameters<typeof openColdCodex>[0],
): Promise<{ compared: number; matched: number; problems: string[]; acrossCursor: string[] }> => {
  const indexDir = mkdtempSync(join(tmpdir(), 'compat-search-index-'));
  const codex = await openColdCodex(codexHome);
  const ours: StdioRpcClient = await initializedServe(codexHome.codexHome, {
    clientInfo: { name: 'compat', version: '0' },
    args: ['--index-dir', indexDir],
  }).catch(async (err: unknown) => {
    await codex.stop(); // the failure is thrown, not left running
    throw err;
  });
  const problems: string[] = [];
  /** Pages back not compared: a thread lay across the cursors (`ClockOracle.straddlingCursor`). */
  const acrossCursor: string[] = [];
  let compared = 0;
  let matched = 0;
  try {
    const askCodex = codexAsker(codex, 'thread/search');
    const askOurs: Ask = (params) => ours.request('thread/search', params);
    const oracle = new ClockOracle(codexHome.codexHome);
    // Codex's state DB before any query: a search may repair the rows it matched (their times taken
    // from the files), so a thread's second can move between two pages of one walk.
    const atStart = ClockOracle.now(codexHome.codexHome);
    const compare = (label: string, codexAnswer: RpcAnswer, ourAnswer: RpcAnswer, sortKey: unknown): void => {
      compared += 1;
      matched +=
        'result' in codexAnswer ? ((codexAnswer as { result: { data: unknown[] } }).result.data.length > 0 ? 1 : 0) : 0;
      const d = jsonDifferences(codexAnswer, oracle.explained(codexAnswer, ourAnswer, sortKey), 6);
      if (d.length > 0) problems.push(`${label}\n${describeDifferences(d)}`);
    };
    const walks: Array<{ readonly q: Query; readonly c: RpcAnswer[]; readonly o: RpcAnswer[] }> = [];
    for (const q of SEARCH_QUERIES) {
      const [c, o] = await Promise.all([walk(askCodex, q), walk(askOurs, q)]);
      walks.push({ q, c, o });
    }
    // Seen in the answers, and (a thread one server's own paging skips past never shows in both) in
    // Codex's state DB beside the files, before the queries and after: a clean-clone run of
    // 2026-11-25 failed on a thread the answers never showed in both (Codex's page 2 skipped it).
    const answered = new Set([
      ...createdAtOf(walks.flatMap((w) => w.c)).keys(),
      ...createdAtOf(walks.flatMap((w) => w.o)).keys(),
    ]);
    const straddling = [
      ...new Set([
        ...acrossSecond(
          walks.flatMap((w) => w.c),
          walks.flatMap((w) => w.o),
        ),
        ...[...atStart.createdAcrossSecond(), ...oracle.createdAcrossSecond()].filter((id) => answered.has(id)),
      ]),
    ];
    for (const { q, c, o } of walks) {
      const sortKey = q.params['sortKey'];
      // A page a created_at cursor leads to is compared unless a thread lies across a second.
      const cursorPagesCompared = straddling.length === 0 || sortKey === 'updated_at' || sortKey === 'recency_at';
      // Nor from a page on that next cursors a thread lies across led to: Codex's DB reading one side
      // of its cursor (a tie, decided by the id, included), our rule's the other side of ours.
      const across = cursorPagesCompared
        ? straddledWalkPage([atStart, oracle], sortKey, q.params['sortDirection'] === 'asc' ? 'asc' : 'desc', c, o)
        : undefined;
      if (across !== undefined)
        acrossCursor.push(`${JSON.stringify(q.params)} from page ${across.page}: ${across.threads.join(', ')}`);
      if (c.length !== o.length && cursorPagesCompared && across === undefined)
        problems.push(`${JSON.stringify(q.params)}: codex gave ${c.length} pages, ours ${o.length}`);
      const pages = cursorPagesCompared ? (across?.page ?? Math.min(c.length, o.length)) : 1;
      for (let i = 0; i < pages; i += 1) compare(`${JSON.stringify(q.params)} page ${i}`, c[i]!, o[i]!, sortKey);
      if (!cursorPagesCompared) continue;
      // Back from each page: its backwards cursor (each server its own) passed as `cursor`, in the
      // opposite direction as Codex documents it, and in the same one. Compared unless a thread's
      // two readings lie on either side of the cursors (the clocks' doing, not a rule's: the rule
      // at a second's edges is compared exactly in threadOrder.compat, on times set on purpose).
      for (let i = 0; i < Math.min(c.length, o.length); i += 1) {
        const [cb, ob] = [backwardsCursorOf(c[i]!), backwardsCursorOf(o[i]!)];
        if (cb === null || ob === null) continue;
        for (const sortDirection of ['desc', 'asc'] as const) {
          const across = [atStart, oracle].flatMap((at) =>
            at.straddlingCursor(sortKey, Date.parse(cb), Date.parse(ob), sortDirection),
          );
          if (across.length > 0) {
            acrossCursor.push(
              `${JSON.stringify(q.params)} back from page ${i} ${sortDirection}: ${[...new Set(across)].join(', ')}`,
            );
            continue;
          }
          const [cp, op] = await Promise.all([
            askCodex({ ...q.params, sortDirection, cursor: cb }),
            askOurs({ ...q.params, sortDirection, cursor: ob }),
          ]);
          compare(`${JSON.stringify(q.params)} back from page ${i} ${sortDirection}`, cp, op, sortKey);
        }
      }
    }
  } finally {
    await ours.close();
    await codex.stop();
    rmSync(indexDir, { recursive: true, force: true });
  }
  return { compared, matched, problems, acrossCursor };
};

describe('compat: thread/search (rollout-engine serve vs codex app-server 0.169.0, cold)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  for (const scenario of ['chat', 'fork', 'revert', 'rich', 'review'])
    for (const mode of HISTORY_MODES) {
      const key = `${scenario}-${mode}`;
      it(`${key}: every query's pages equal codex's`, async function () {
        const { compared, matched, problems, acrossCursor } = await compareHome(compatHome(fixture, key));
        if (acrossCursor.length > 0)
          process.stderr.write(
            `${key}: ${acrossCursor.length} pages back not compared, a thread across the cursors:\n  ${acrossCursor.join('\n  ')}\n`,
          );
        expect(compared, 'answers compared').to.be.greaterThan(SEARCH_QUERIES.length - 1);
        expect(matched, 'answers with threads found').to.be.greaterThan(3);
        if (problems.length > 0)
          expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
      });
    }
});

/**
 * ci2's flake of `fork-paginated` (2026-11-27), made on purpose: a thread whose row in Codex's state
 * DB reads its second's first millisecond (…30.000) while its session_meta says 12 ms later. Past
 * thread/search's next cursor `<second>Z|<id>` (its first row's second and id), Codex lists that
 * thread by the tie (its DB reading at exactly the cursor's time, its id before the cursor's), ours
 * not (its line after the cursor's time): the clocks' doing, not a rule's (Codex compares its DB's
 * milliseconds, codex-rs/state/src/runtime/threads.rs; so do we, with the line's). The walk check
 * names that thread, so the pages from there are set aside, not compared.
 */
describe('compat: thread/search past a next cursor a thread lies across (codex app-server 0.169.0, its DB as the live Codex left it)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  it("fork-legacy, one thread's DB row at its second's first ms, its session_meta 12 ms later: Codex lists it past `<second>Z|<id>`, ours not; the walk check names it from that page", async () => {
    const source = compatHome(fixture, 'fork-legacy');
    const root = mkdtempSync(join(tmpdir(), 'compat-search-tie-'));
    const dst = join(root, 'home-dir');
    cpSync(join(source.codexHome, '..'), dst, { recursive: true, preserveTimestamps: true });
    const codexHome = join(dst, 'home');
    const files: string[] = [];
    const walkDir = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walkDir(join(d, e.name));
        else if (e.name.startsWith('rollout-') && e.name.endsWith('.jsonl')) files.push(join(d, e.name));
    };
    walkDir(join(codexHome, 'sessions'));
    const threads = files
      .map((path) => ({
        path,
        id: (JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!) as { payload: { id: string } }).payload.id,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(threads.length, 'the fork-legacy home holds five threads').to.equal(5);
    // By id order: the first thread (the tied one) at B.012 on its line, B.000 in the DB; the others' DB rows equal their lines.
    const base = Math.floor(sessionTimeMs(threads[0]!.path) / 1000) * 1000 + 10_000;
    const lineMs = [base + 12, base + 300, base + 600, base + 1500, base + 1700];
    const dbMs = [base, ...lineMs.slice(1)];
    const db = openSqlite(join(codexHome, 'state_5.sqlite'), { mustExist: false });
    try {
      threads.forEach((t, i) => {
        const path = setSessionTime(t.path, lineMs[i]!);
        db.prepare('UPDATE threads SET rollout_path = ?, created_at = ?, created_at_ms = ? WHERE id = ?').run(
          path,
          Math.floor(dbMs[i]! / 1000),
          dbMs[i]!,
          t.id,
        );
      });
    } finally {
      db.close();
    }
    const home = { codexHome, workDir: join(dst, 'work') };
    const q: Query = { params: { searchTerm: 'fact', limit: 1 }, walk: 4 };
    const idsOf = (pages: readonly RpcAnswer[]): string[][] =>
      pages.map((a) =>
        'result' in a ? (a.result as { data: Array<{ thread: { id: string } }> }).data.map((r) => r.thread.id) : [],
      );
    const indexDir = mkdtempSync(join(root, 'index-'));
    const codex = await openColdCodex(home);
    const ours: StdioRpcClient = await initializedServe(codexHome, {
      clientInfo: { name: 'compat', version: '0' },
      args: ['--index-dir', indexDir],
    }).catch(async (err: unknown) => {
      await codex.stop(); // the failure is thrown, not left running
      throw err;
    });
    try {
      const oracle = ClockOracle.now(codexHome);
      const c = await walk(codexAsker(codex, 'thread/search'), q);
      const o = await walk((params) => ours.request('thread/search', params), q);
      const [t0, , t2, , t4] = threads.map((t) => t.id);
      // Page 0 the latest thread, page 1 past `<B+1>Z|t4` the one before that second, then past `<B>Z|t2`: Codex's tie, t0; ours nothing.
      expect(idsOf(c), "Codex's pages").to.deep.equal([[t4], [t2], [t0]]);
      expect(idsOf(o), 'our pages').to.deep.equal([[t4], [t2], []]);
      expect(straddledWalkPage([oracle], undefined, 'desc', c, o), 'the walk check').to.deep.equal({
        page: 2,
        threads: [t0],
      });
      // By the cursor's time alone (before the id decided a tie) the check saw nothing, and the pages were compared: ci2's failure.
      const cursor = cursorParts((c[1] as { result: { nextCursor: string } }).result.nextCursor)!;
      expect(oracle.straddlingCursor(undefined, cursor.ms, cursor.ms, 'desc')).to.deep.equal([]);
    } finally {
      await ours.close();
      await codex.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** thread/searchOccurrences queries, per paginated thread (Codex 0.169.0 answers legacy threads -32601; we serve them). */
const OCCURRENCE_QUERIES: readonly Query[] = [
  { params: { searchTerm: 'fact' } },
  { params: { searchTerm: 'TURN' } },
  { params: { searchTerm: ' fact ' } },
  { params: { searchTerm: 'CAFÉ' } },
  { params: { searchTerm: 'tides' } },
  { params: { searchTerm: 'hello' } },
  { params: { searchTerm: 'pixel' } },
  { params: { searchTerm: 'straße' } },
  { params: { searchTerm: 'STRASSE' } },
  { params: { searchTerm: 'ss' } },
  { params: { searchTerm: 'σίσυφος' } },
  { params: { searchTerm: 'FILE' } },
  { params: { searchTerm: 'zqxj-no-such-text' } },
  // the rich scenario's assistant text in every phase order: partial answers and a turn's final message only
  { params: { searchTerm: 'phase' } },
  { params: { searchTerm: 'e', limit: 7 }, walk: 12 },
  { params: { searchTerm: '' } },
];

describe('compat: thread/searchOccurrences (rollout-engine serve vs codex app-server 0.169.0, paginated threads)', function () {
  this.timeout(300_000);
  let fixture: CompatFixture;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS);
    fixture = await sharedCompatHomes();
  });

  for (const scenario of ['chat', 'fork', 'revert', 'rich'])
    it(`${scenario}-paginated: every thread's occurrence pages equal codex's, and each turnCursor lands on its turn`, async function () {
      const home = compatHome(fixture, `${scenario}-paginated`);
      const indexDir = mkdtempSync(join(tmpdir(), 'compat-occurrences-index-'));
      const codex = await openColdCodex(home);
      const ours: StdioRpcClient = await initializedServe(home.codexHome, {
        clientInfo: { name: 'compat', version: '0' },
        args: ['--index-dir', indexDir],
      }).catch(async (err: unknown) => {
        await codex.stop(); // the failure is thrown, not left running
        throw err;
      });
      const problems: string[] = [];
      let compared = 0;
      let found = 0;
      try {
        for (const ref of home.threads) {
          const askCodex = codexAsker(codex, 'thread/searchOccurrences', { threadId: ref.id });
          const askOurs: Ask = (params) => ours.request('thread/searchOccurrences', { threadId: ref.id, ...params });
          for (const q of OCCURRENCE_QUERIES) {
            const [c, o] = await Promise.all([walk(askCodex, q), walk(askOurs, q)]);
            if (c.length !== o.length)
              problems.push(`${ref.label} ${JSON.stringify(q.params)}: codex gave ${c.length} pages, ours ${o.length}`);
            for (let i = 0; i < Math.min(c.length, o.length); i += 1) {
              compared += 1;
              const d = jsonDifferences(c[i], o[i], 6);
              if (d.length > 0)
                problems.push(`${ref.label} ${JSON.stringify(q.params)} page ${i}\n${describeDifferences(d)}`);
              for (const occ of 'result' in o[i]!
                ? (o[i] as { result: { data: Array<{ turnId: string; turnCursor: string }> } }).result.data
                : []) {
                found += 1;
                // The cursor is thread/turns/list's: the page it gives starts at the occurrence's turn.
                const page = await ours.request('thread/turns/list', {
                  threadId: ref.id,
                  cursor: occ.turnCursor,
                  limit: 1,
                  itemsView: 'notLoaded',
                });
                const first =
                  'result' in page ? (page.result as { data: Array<{ id: string }> }).data[0]?.id : undefined;
                if (first !== occ.turnId)
                  problems.push(`${ref.label} turnCursor of ${occ.turnId} gave ${JSON.stringify(page).slice(0, 200)}`);
              }
            }
          }
        }
      } finally {
        await ours.close();
        await codex.stop();
        rmSync(indexDir, { recursive: true, force: true });
      }
      expect(found, 'occurrences found').to.be.greaterThan(5);
      if (problems.length > 0)
        expect.fail(`${problems.length} of ${compared} answers differ:\n${problems.slice(0, 12).join('\n')}`);
    });
});

/**
 * Messages whose snippet depends on where the context is counted: runs of spaces, tabs and
 * newlines (several characters the collapsed text holds as one) before and after the match, in
 * ASCII and beyond; and texts without runs, whose snippets the versions cut alike. One thread each
 * (a search answers a thread's first matching line), searched by its own word.
 */
const SNIPPET_TEXTS: ReadonlyArray<readonly [string, string]> = [
  ['needlea', `${'a  '.repeat(30)}needlea${'  b'.repeat(60)}`],
  ['needleb', `${'a\n'.repeat(40)}needleb${'\nb'.repeat(60)}`],
  ['needlec', `${'a \t '.repeat(30)}needlec${' \t b'.repeat(60)}`],
  ['needled', `   needled   ${'c    '.repeat(30)}`],
  ['needlee', `${'é  '.repeat(30)}needlee${'  ü'.repeat(60)}`],
  ['needlef', `${'q  '.repeat(16)}needlef${'  r'.repeat(32)}`],
  ['needleg', `${'q  '.repeat(17)}needleg${'  r'.repeat(33)}`],
  ['needleh', `line one\n\n   needleh   \t spaced    out ${'z '.repeat(80)}`],
  ['needlei', `${'Lorem ipsum dolor sit amet '.repeat(4)}needlei ${'consectetur adipiscing elit '.repeat(6)}`],
  ['needlej', `${'🎉 '.repeat(40)}needlej${' 🎉'.repeat(60)}`],
];

describe("compat: thread/search snippets where the versions differ (serve --codex-version X vs codex app-server X, each version's binary)", function () {
  this.timeout(180_000);
  let root: string;
  let codexHome: string;
  const servers: StdioRpcClient[] = [];

  /** The home's files: one legacy thread per snippet text. Written for ours and for each binary alike (a copy of its own: `codexHomeOf`). */
  const writeSnippetHome = (codexHome: string): void => {
    writeCodexConfig(codexHome, 9);
    const day = join(codexHome, 'sessions', '2026', '11', '21');
    mkdirSync(day, { recursive: true });
    SNIPPET_TEXTS.forEach(([word, text], i) => {
      const id = `019a0000-0000-7000-8000-0000000000${String(10 + i)}`;
      const w = new RolloutWriter('legacy', id, { startMs: Date.UTC(2026, 10, 21, 14, 10 + i, 0) }).sessionMeta({
        model_provider: 'mock',
      });
      w.taskStarted('t1')
        .turnContext('t1')
        .push('event_msg', {
          type: 'user_message',
          message: `find ${word.slice(6)}`,
          images: [],
          local_images: [],
          text_elements: [],
        });
      w.agentMessage('t1', `msg-${word}`, text).taskComplete('t1');
      writeFileSync(join(day, `rollout-2026-11-21T14-${10 + i}-00-${id}.jsonl`), w.text());
    });
  };
  /**
   * Each binary's own copy of the home: a Codex answers from the state DB the first binary to open
   * a home wrote, so a second version in the same home would answer the first's reading
   * (measured for the history projection: itemDeltas.compat).
   */
  const codexHomeOf = (version: string): string => {
    const home = join(root, `codex-${version}`, 'codex-home');
    writeSnippetHome(home);
    return home;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'snippet-versions-'));
    codexHome = join(root, 'codex-home');
    writeSnippetHome(codexHome);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    rmSync(root, { recursive: true, force: true });
  });

  const snippetsOf = async (s: StdioRpcClient): Promise<Record<string, unknown>> => {
    const init = await handshake(s, {
      clientInfo: { name: 'compat', version: '1' },
      capabilities: { experimentalApi: true },
    });
    if ('error' in init) throw new Error(`initialize: ${JSON.stringify(init.error)}`);
    const out: Record<string, unknown> = {};
    for (const [word] of SNIPPET_TEXTS) {
      const a = await s.request('thread/search', { searchTerm: word });
      out[word] = 'error' in a ? a : (a.result as { data: Array<{ snippet: string }> }).data.map((r) => r.snippet);
    }
    return out;
  };

  const byVersion = new Map<string, Record<string, unknown>>();
  for (const version of CODEX_VERSIONS) {
    it(`${version}: each message's snippet as codex ${version} cuts it`, async () => {
      const command = await codexCommandAt(version);
      const home = codexHomeOf(version);
      const codex = spawnAppServerRpc(command, home);
      servers.push(codex);
      const theirs = await snippetsOf(codex);
      await codex.close();
      // Its own version's schema (the hooks' is the compat run's version).
      const schema = version === answerSchema.active()?.version ? undefined : await CodexSchema.generateAt(version);
      const mine = await serveOverStdio(codexHome, {
        args: ['--codex-version', version],
        ...(schema === undefined ? {} : { schema }),
      });
      servers.push(mine);
      const ours = await snippetsOf(mine);
      await mine.close();
      const differing = SNIPPET_TEXTS.filter(
        ([word]) => JSON.stringify(ours[word]) !== JSON.stringify(theirs[word]),
      ).map(([word]) => `${word}: ours ${JSON.stringify(ours[word])}\n  codex ${JSON.stringify(theirs[word])}`);
      expect(differing, `${differing.length} of ${SNIPPET_TEXTS.length} snippets differ`).to.deep.equal([]);
      for (const [word] of SNIPPET_TEXTS) expect(theirs[word], `${word} is found`).to.have.length(1);
      byVersion.set(version, theirs);
    });
  }

  it('the versions differ where the message has runs of whitespace near the match, and only there (the measured delta)', () => {
    expect([...byVersion.keys()], "every version's binary answered (the tests above)").to.deep.equal([
      ...CODEX_VERSIONS,
    ]);
    const [older, newer] = CODEX_VERSIONS.map((v) => byVersion.get(v)!);
    const differ = SNIPPET_TEXTS.filter(([word]) => JSON.stringify(older![word]) !== JSON.stringify(newer![word])).map(
      ([word]) => word,
    );
    expect(differ).to.deep.equal(['needlea', 'needlec', 'needled', 'needlee', 'needleg', 'needleh']);
  });
});
