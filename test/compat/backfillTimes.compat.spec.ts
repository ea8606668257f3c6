// Issue 69: a thread Codex did not write itself takes its `updatedAt` / `recencyAt` from its
// file's modification time: Codex's backfill of the rollouts (codex-rs `rollout/src/metadata.rs`,
// `backfill_sessions` → `extract_metadata_from_rollout`) writes the row with the mtime as both,
// and keeps it until Codex writes the thread again. A hand-written home (lines a second apart, two
// turns a thread) whose files' mtimes run against their lines (hours after, hours before, a few ms
// after as a live write leaves it), read by codex app-server 0.169.0 and by ours in the same run:
// ours indexed before any Codex made its state DB, after Codex's backfill wrote it, and after a
// file was touched past its backfilled row. Expected answers are Codex's, compared whole.
import { expect } from 'chai';
import { mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';
import { agent, context, event, user, writeRolloutFile } from '../fixtures/legacyRollout.js';
import type { Line } from '../fixtures/legacyRollout.js';
import { codexConfigToml } from './appServer.js';
import { codexAnswer, inCodexFolders, openOurs } from './codexAndOurs.js';
import type { Step } from './codexAndOurs.js';
import { openColdCodex } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { freshRoot } from './mutationHarness.js';
import { RolloutWriter, threeTurnRoot } from '../fixtures/rolloutLines.js';

const idOf = (n: number): string => `019a0000-0000-7000-8000-${String(n).padStart(12, '0')}`;
const HOUR_MS = 3_600_000;

/** A thread: its number (its creation minute) and where its file's mtime lies from its last line. */
const THREADS: ReadonlyArray<{ readonly n: number; readonly mtimeFromLastLineMs: number }> = [
  { n: 1, mtimeFromLastLineMs: 3 * HOUR_MS + 123 },
  { n: 2, mtimeFromLastLineMs: -2 * HOUR_MS },
  { n: 3, mtimeFromLastLineMs: 7 },
  { n: 4, mtimeFromLastLineMs: HOUR_MS + 456 },
];

const TURN_LINES = (n: number, t: number): Line[] => {
  const turnId = `019a0000-0000-7000-9000-${String(n * 10 + t).padStart(12, '0')}`;
  const text = `thread ${n} turn ${t}`;
  return [
    event({ type: 'task_started', turn_id: turnId, model_context_window: 190000 }),
    // These turns name no effort (an undefined field is left out of the line).
    context(turnId, { model: 'gpt-5.1-codex', effort: undefined }),
    ...user(text),
    ...agent(`answer to ${text}`),
    event({ type: 'task_complete', turn_id: turnId, last_agent_message: `answer to ${text}` }),
  ];
};

/** Writes thread `n`'s rollout, a line a second from its creation minute, and sets its mtime; its path. */
const writeThread = (codexHome: string, n: number, mtimeFromLastLineMs: number): string => {
  const id = idOf(n);
  const ts = `2026-11-20T10:0${n}:00.000Z`;
  const meta = {
    id,
    timestamp: ts,
    cwd: '/work/project',
    originator: 'codex_cli_rs',
    cli_version: '0.169.0',
    source: 'vscode',
    model_provider: 'mock',
  };
  const lines = [{ type: 'session_meta', payload: meta }, ...TURN_LINES(n, 1), ...TURN_LINES(n, 2)];
  return writeRolloutFile(codexHome, id, Date.parse(ts), lines, mtimeFromLastLineMs);
};

/** Every answer compared: each thread read, the lists (the state DB's and the file scan's), a search. */
const STEPS: ReadonlyArray<Step> = [
  ...THREADS.map((t) => [`read ${t.n}`, 'thread/read', { threadId: idOf(t.n), includeTurns: true }] as const),
  ['list by recency', 'thread/list', { modelProviders: [], limit: 100, sortKey: 'recency_at' }],
  [
    'state-DB list by update',
    'thread/list',
    { modelProviders: [], limit: 100, sortKey: 'updated_at', useStateDbOnly: true },
  ],
  ['state-DB list', 'thread/list', { modelProviders: [], limit: 100, useStateDbOnly: true }],
  ['file scan', 'thread/list', { limit: 100 }],
  ['search', 'thread/search', { searchTerm: 'turn 2', limit: 100 }],
];

/** Ours on a fresh index of `home`, every step asked. */
const askAt = async (
  root: string,
  home: { codexHome: string; workDir: string },
  steps: ReadonlyArray<Step>,
  indexName: string,
): Promise<RpcAnswer[]> => {
  const ours = await openOurs(home.codexHome, {
    args: ['--index-dir', join(root, indexName)],
    ...inCodexFolders(home),
  });
  try {
    const answers: RpcAnswer[] = [];
    for (const [, method, params] of steps) answers.push(await ours.request(method, params));
    return answers;
  } finally {
    await ours.close();
  }
};

/** Codex cold on `home`, every step asked. */
const askCodexAt = async (
  home: { codexHome: string; workDir: string },
  steps: ReadonlyArray<Step>,
): Promise<RpcAnswer[]> => {
  const codex = await openColdCodex(home);
  try {
    const answers: RpcAnswer[] = [];
    for (const [, method, params] of steps) answers.push(await codexAnswer(codex.server, method, params));
    return answers;
  } finally {
    await codex.stop();
  }
};

const differingOf = (steps: ReadonlyArray<Step>, codex: readonly RpcAnswer[], ours: readonly RpcAnswer[]): string[] =>
  steps.flatMap(([label, method], i) => {
    const d = jsonDifferences(codex[i], ours[i], 8);
    return d.length === 0 ? [] : [`${label} ${method}\n${describeDifferences(d)}`];
  });

const reportOf = (name: string, steps: ReadonlyArray<Step>, problems: readonly string[]): void => {
  process.stderr.write(`  ${name}: ${steps.length - problems.length}/${steps.length} answers equal\n`);
  expect(problems, problems.join('\n')).to.deep.equal([]);
};

describe('compat: a thread Codex took from its file answers that file mtime (backfilled rows, issue 69; codex app-server 0.169.0)', function () {
  this.timeout(600_000);
  let root: string;
  let home: { codexHome: string; workDir: string };
  const paths = new Map<number, string>();

  before(() => {
    root = freshRoot();
    home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
    mkdirSync(home.workDir, { recursive: true });
    for (const t of THREADS) paths.set(t.n, writeThread(home.codexHome, t.n, t.mtimeFromLastLineMs));
    // The config Codex will run with (its provider filters the file scan), there before ours reads the home.
    writeFileSync(join(home.codexHome, 'config.toml'), codexConfigToml(1));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('no state DB yet: ours, indexed before any Codex ran, answers what Codex then backfills (each time its file mtime, in the mtime order)', async () => {
    const ours = await askAt(root, home, STEPS, 'index-before');
    const codex = await askCodexAt(home, STEPS);
    // Codex's rows are its backfill's: both times the file's mtime, to the millisecond (measured).
    const db = openSqlite(join(home.codexHome, 'state_5.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, updated_at_ms, recency_at_ms FROM threads ORDER BY id').all() as Array<{
        id: string;
        updated_at_ms: number;
        recency_at_ms: number;
      }>;
      expect(rows.map((r) => [r.updated_at_ms, r.recency_at_ms])).to.deep.equal(
        THREADS.map((t) => {
          const ms = Math.floor(statSync(paths.get(t.n)!).mtimeMs);
          return [ms, ms];
        }),
      );
    } finally {
      db.close();
    }
    reportOf('before a state DB', STEPS, differingOf(STEPS, codex, ours));
  });

  it("the state DB Codex's backfill wrote: ours, indexed after, answers its rows", async () => {
    reportOf(
      'after the backfill',
      STEPS,
      differingOf(STEPS, await askCodexAt(home, STEPS), await askAt(root, home, STEPS, 'index-after')),
    );
  });

  it('a file touched after its row was backfilled: its row keeps the older time, and so do ours', async () => {
    const touched = new Date(Date.parse('2026-11-20T18:00:00.250Z'));
    utimesSync(paths.get(3)!, touched, touched);
    reportOf(
      'touched after the backfill',
      STEPS,
      differingOf(STEPS, await askCodexAt(home, STEPS), await askAt(root, home, STEPS, 'index-touched')),
    );
  });
});

// Issue 69, the backfill's allocation: Codex's first start upserts every file in the order of its
// path under the home (codex-rs `rollout/src/metadata.rs`, `backfill_sessions_with_lease`: the
// watermarks sorted, `archived_sessions/` before `sessions/`), each time through a process-local
// high-water mark that makes a time within a second of the last one unique (codex-rs
// `state/src/runtime/threads.rs`, `allocate_thread_timestamp`). A home whose files' mtimes lie
// within one second against their path order, and a reverted thread whose root file and revision
// have mtimes hours apart: a cold Codex, and ours indexed before it ran and after.
describe('compat: backfilled times are allocated in the order Codex takes the files (issue 69; codex app-server 0.169.0)', function () {
  this.timeout(600_000);
  const SECOND = Date.parse('2026-11-21T12:00:00.000Z');
  const REVERTED = idOf(8);
  const REVISION = '019a0000-0000-7000-8000-0000000000f8';
  /** Path under the home, and the file's mtime: in path order, archived first. */
  const FILES: ReadonlyArray<{ readonly n: number; readonly rel: (id: string) => string; readonly mtime: number }> = [
    { n: 5, rel: (id) => `archived_sessions/rollout-2026-11-20T10-05-00-${id}.jsonl`, mtime: SECOND + 900 },
    { n: 6, rel: (id) => `sessions/2026/11/20/rollout-2026-11-20T10-06-00-${id}.jsonl`, mtime: SECOND + 700 },
    { n: 7, rel: (id) => `sessions/2026/11/20/rollout-2026-11-20T10-07-00-${id}.jsonl`, mtime: SECOND + 100 },
    // After the reverted thread's two files (2026/11/22): the marks its revision left.
    { n: 9, rel: (id) => `sessions/2026/11/23/rollout-2026-11-23T10-09-00-${id}.jsonl`, mtime: SECOND + 200 },
  ];
  const ROOT_MTIME = SECOND - 2 * HOUR_MS;
  const REVISION_MTIME = SECOND + 300;
  let root: string;
  let home: { codexHome: string; workDir: string };

  const steps: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
    ...[5, 6, 7, 8, 9].map((n) => [`read ${n}`, 'thread/read', { threadId: idOf(n), includeTurns: false }] as const),
    ['list by recency', 'thread/list', { modelProviders: [], limit: 100, sortKey: 'recency_at' }],
    [
      'state-DB list by recency',
      'thread/list',
      { modelProviders: [], limit: 100, sortKey: 'recency_at', useStateDbOnly: true },
    ],
    [
      'state-DB list by update',
      'thread/list',
      { modelProviders: [], limit: 100, sortKey: 'updated_at', useStateDbOnly: true },
    ],
    ['archived by recency', 'thread/list', { modelProviders: [], limit: 100, sortKey: 'recency_at', archived: true }],
  ];

  before(() => {
    root = freshRoot();
    home = { codexHome: join(root, 'home'), workDir: join(root, 'work') };
    mkdirSync(home.workDir, { recursive: true });
    const put = (rel: string, text: string, mtime: number): void => {
      const file = join(home.codexHome, rel);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, text);
      utimesSync(file, new Date(mtime), new Date(mtime));
    };
    for (const f of FILES) {
      const id = idOf(f.n);
      const ts = `2026-11-20T10:0${f.n}:00.000Z`;
      const meta = {
        id,
        timestamp: ts,
        cwd: '/work/project',
        originator: 'codex_cli_rs',
        cli_version: '0.169.0',
        source: 'vscode',
        model_provider: 'mock',
      };
      const lines = [{ type: 'session_meta', payload: meta }, ...TURN_LINES(f.n, 1)];
      put(
        f.rel(id),
        lines
          .map((l, i) => `${JSON.stringify({ timestamp: new Date(Date.parse(ts) + i * 1000).toISOString(), ...l })}\n`)
          .join(''),
        f.mtime,
      );
    }
    // A reverted thread: its root file, and the revision Codex's thread/revert writes beside it.
    const { root: rootFile, cutForRevert } = threeTurnRoot(REVERTED);
    put(`sessions/2026/11/22/rollout-2026-11-22T14-00-00-${REVERTED}.jsonl`, rootFile.text(), ROOT_MTIME);
    const revision = new RolloutWriter('paginated', REVERTED, {
      startOrdinal: cutForRevert.end_ordinal_exclusive,
      startMs: rootFile.nowMs() + 60_000,
    });
    revision.sessionMeta({ history_base: cutForRevert });
    revision.chatTurn('r1', 'after revert', 'RA1');
    put(
      `sessions/2026/11/22/rollout-2026-11-22T14-03-00-${REVERTED}_${REVISION}.jsonl`,
      revision.text(),
      REVISION_MTIME,
    );
    writeFileSync(join(home.codexHome, 'config.toml'), codexConfigToml(1));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /**
   * What an answer says of the times: each thread's id, updatedAt and recencyAt, in its order, and
   * the cursors (a list's, to the millisecond). The rest of a reverted thread's answer is compared
   * elsewhere (a file scan lists each of its files; without a DB Codex previews its revision's own
   * first message: docs/compatibility.md).
   */
  const timesOf = (a: RpcAnswer): unknown => {
    if (!('result' in a)) return a;
    const r = a.result as {
      thread?: Record<string, unknown>;
      data?: Array<Record<string, unknown>>;
      nextCursor?: unknown;
      backwardsCursor?: unknown;
    };
    const pick = (t: Record<string, unknown>): unknown => ({
      id: t['id'],
      updatedAt: t['updatedAt'],
      recencyAt: t['recencyAt'],
    });
    return r.thread !== undefined
      ? pick(r.thread)
      : { data: (r.data ?? []).map(pick), nextCursor: r.nextCursor, backwardsCursor: r.backwardsCursor };
  };
  const timesDiffering = (codex: readonly RpcAnswer[], ours: readonly RpcAnswer[]): string[] =>
    differingOf(
      steps,
      codex.map((a) => ({ result: timesOf(a) }) as RpcAnswer),
      ours.map((a) => ({ result: timesOf(a) }) as RpcAnswer),
    );

  const codexRows = (): Array<[string, number, number]> => {
    const db = openSqlite(join(home.codexHome, 'state_5.sqlite'), { readonly: true });
    try {
      return (
        db.prepare('SELECT id, updated_at_ms AS u, recency_at_ms AS r FROM threads ORDER BY id').all() as Array<{
          id: string;
          u: number;
          r: number;
        }>
      ).map((r) => [r.id, r.u - SECOND, r.r - SECOND]);
    } finally {
      db.close();
    }
  };

  it('no state DB yet: ours, indexed before any Codex ran, answers the times and order Codex then allocates', async () => {
    const ours = await askAt(root, home, steps, 'alloc-before');
    const codex = await askCodexAt(home, steps);
    process.stderr.write(
      `  Codex's rows (ms from ${new Date(SECOND).toISOString()}): ${JSON.stringify(codexRows())}\n`,
    );
    reportOf('allocation before a state DB', steps, timesDiffering(codex, ours));
  });

  it("the state DB Codex's backfill wrote: ours, indexed after, answers its rows (the reverted thread's left out)", async () => {
    // Its row holds two readings (updated its revision's, recency its root's), which ours take for
    // the row of a thread Codex ran (codexRowTimes.ts): its lines answer (issue 69, left open).
    const without = (answers: readonly RpcAnswer[]): RpcAnswer[] =>
      answers.map((a) => {
        const t = timesOf(a) as { id?: unknown; data?: Array<{ id: unknown }> };
        if (t.id === REVERTED) return { result: 'left out' };
        return { result: t.data === undefined ? t : { data: t.data.filter((r) => r.id !== REVERTED) } };
      });
    const codex = without(await askCodexAt(home, steps));
    const ours = without(await askAt(root, home, steps, 'alloc-after'));
    reportOf('allocation after the backfill (the reverted thread left out)', steps, differingOf(steps, codex, ours));
  });
});
