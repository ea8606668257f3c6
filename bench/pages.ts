/**
 * `npm run bench -- pages [--sizes 1MB,100MB,1GB] [--reps N] [--no-codex]`: page latency of the
 * history API as a backend sees it (JSON-RPC round trips to `rollout-engine serve`), on one
 * thread of each size, paginated and legacy: `thread/turns/list` (each view, limit 20, newest
 * page and a page from the middle via a cursor) and `thread/items/list` (first page, and one
 * turn's items from the middle). Beside it, in the same run: the naive baseline (fold the whole
 * rollout, then cut the page) and, on a home written by the real `codex app-server` (the 64-turn
 * compat scenario), Codex's own times for the same requests. Prints JSON.
 */
import { spawnServe } from './serveCommand.js';
import { percentile } from './stats.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import type { StdioRpcClient } from '../test/fixtures/stdioRpcClient.js';
import { jsonlRolloutStore } from '../test/oracle/rolloutStore.js';
import { foldThread } from '../test/oracle/wholeFileFold.js';
import { toApiTurn, visibleTurnEntries } from '../test/oracle/referenceTurnFold.js';
import { generateThread } from './pagesData.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';

type Ask = (method: string, params: unknown) => Promise<unknown>;

interface Request {
  readonly name: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)?$/i;
const UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9 };
export const parseByteSize = (s: string): number => {
  const m = SIZE.exec(s.trim());
  if (!m) throw new Error(`not a size: ${s} (use e.g. 1MB, 100MB, 1GB)`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1));
};

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Time each request `reps` times after two warm-ups; p50 / p99 in milliseconds. */
const timeRequests = async (
  ask: Ask,
  requests: ReadonlyArray<Request>,
  reps: number,
): Promise<Record<string, { p50: number; p99: number }>> => {
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const r of requests) {
    for (let i = 0; i < 2; i++) await ask(r.method, r.params);
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const a = (await ask(r.method, r.params)) as { error?: unknown };
      times.push(performance.now() - t0);
      if (a.error !== undefined) throw new Error(`${r.name}: ${JSON.stringify(a.error)}`);
    }
    out[r.name] = { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
  }
  return out;
};

const oursAsk =
  (client: StdioRpcClient): Ask =>
  (m, p) =>
    client.request(m, p);

/** The requests for one thread: newest pages, and pages from its middle found by walking once. */
const requestsFor = async (ask: Ask, threadId: string, turnCount: number): Promise<Request[]> => {
  const requests: Request[] = [];
  for (const view of ['notLoaded', 'summary', 'full'])
    requests.push({
      name: `turns ${view} newest`,
      method: 'thread/turns/list',
      params: { threadId, itemsView: view, limit: 20 },
    });
  // A cursor at the middle of the thread: walk newest-first in pages of 100 (once, untimed).
  let cursor: string | null = null;
  const step = Math.min(100, Math.max(1, Math.floor(turnCount / 2)));
  for (let seen = 0; seen < Math.floor(turnCount / 2); seen += step) {
    const page = (await ask('thread/turns/list', {
      threadId,
      itemsView: 'notLoaded',
      limit: step,
      ...(cursor ? { cursor } : {}),
    })) as {
      result: { nextCursor: string | null };
    };
    if (page.result.nextCursor === null) break;
    cursor = page.result.nextCursor;
  }
  if (cursor !== null)
    for (const view of ['notLoaded', 'summary', 'full'])
      requests.push({
        name: `turns ${view} middle`,
        method: 'thread/turns/list',
        params: { threadId, itemsView: view, limit: 20, cursor },
      });
  requests.push({ name: 'items first', method: 'thread/items/list', params: { threadId, limit: 20 } });
  const middle = (await ask('thread/turns/list', {
    threadId,
    itemsView: 'notLoaded',
    limit: 1,
    ...(cursor ? { cursor } : {}),
  })) as {
    result: { data: Array<{ id: string }> };
  };
  const turnId = middle.result.data[0]?.id;
  if (turnId)
    requests.push({
      name: 'items of a middle turn',
      method: 'thread/items/list',
      params: { threadId, turnId, limit: 20 },
    });
  return requests;
};

/** The naive way: fold the whole rollout for every request, then cut the page. */
const naive = async (home: string, threadId: string, reps: number): Promise<{ p50: number; runs: number }> => {
  const store = jsonlRolloutStore(home);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const f = await foldThread(store, threadId)();
    if (E.isLeft(f)) throw new Error(JSON.stringify(f.left));
    visibleTurnEntries(f.right.turns).slice(-20).map(toApiTurn);
    times.push(performance.now() - t0);
  }
  return { p50: round(percentile(times, 50)), runs: reps };
};

const initialize = async (ask: Ask, notify: (m: string) => void): Promise<void> => {
  await ask('initialize', { clientInfo: { name: 'bench', version: '0' }, capabilities: { experimentalApi: true } });
  notify('initialized');
};

const sized = async (
  engineMain: string,
  size: string,
  mode: HistoryMode,
  reps: number,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), `bench-pages-${mode}-`));
  try {
    const home = nodePath.join(tmp, 'home');
    const threadId =
      mode === 'paginated' ? '01a1fe84-0000-7000-8000-00000000beef' : '01a1fe84-0000-7000-8000-00000000cafe';
    const t = await generateThread(home, mode, parseByteSize(size), threadId);
    const indexDir = nodePath.join(tmp, 'index');
    const t0 = performance.now();
    execFileSync(process.execPath, [engineMain, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const indexMs = performance.now() - t0;
    const client = spawnServe(engineMain, home, indexDir);
    try {
      const ask = oursAsk(client);
      await initialize(ask, (m) => client.notify(m));
      const requests = await requestsFor(ask, threadId, t.turns);
      const ours = await timeRequests(ask, requests, reps);
      const naiveReps = t.bytes > 500e6 ? 1 : t.bytes > 50e6 ? 3 : 20;
      return {
        size,
        mode,
        bytes: t.bytes,
        turns: t.turns,
        lines: t.lines,
        indexSeconds: round(indexMs / 1000),
        ours,
        naiveFullFold: await naive(home, threadId, naiveReps),
      };
    } finally {
      await client.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

/** Codex's times beside ours on a home the real app-server wrote (the 64-turn compat scenario). */
const besideCodex = async (engineMain: string, reps: number): Promise<Record<string, unknown>> => {
  const { buildCompatHomes } = await import('../test/compat/scenarios.js');
  const { openColdCodex } = await import('../test/compat/compatHomes.js');
  const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-pages-codex-'));
  try {
    const homes = await buildCompatHomes(root, { scenarios: ['big'] });
    const out: Record<string, unknown> = {};
    for (const home of homes) {
      const threadId = home.threads[0]!.id;
      const codex = await openColdCodex(home);
      const ours = spawnServe(engineMain, home.codexHome, nodePath.join(root, `index-${home.mode}`));
      try {
        const askCodex: Ask = async (m, p) => {
          try {
            return { result: await codex.server.request(m, p) };
          } catch (e) {
            return { error: String(e) };
          }
        };
        const askOurs = oursAsk(ours);
        await initialize(askOurs, (m) => ours.notify(m));
        const requests = (await requestsFor(askCodex, threadId, 64)).filter(
          (r) => home.mode === 'paginated' || r.method !== 'thread/items/list',
        );
        out[home.mode] = {
          threadTurns: 64,
          codex: await timeRequests(askCodex, requests, reps),
          ours: await timeRequests(askOurs, requests, reps),
        };
      } finally {
        await ours.close();
        await codex.stop();
      }
    }
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};

/** The requests the targets name, on one thread: 20-turn pages in each view (newest and middle), 50-item pages. */
const targetRequests = async (ask: Ask, threadId: string): Promise<Request[]> => {
  const requests: Request[] = [];
  const page = (await ask('thread/turns/list', { threadId, itemsView: 'notLoaded', limit: 100 })) as {
    result: { nextCursor: string | null; data: Array<{ id: string }> };
  };
  const cursor = page.result.nextCursor;
  for (const view of ['notLoaded', 'summary', 'full']) {
    requests.push({
      name: `turns ${view} 20 newest`,
      method: 'thread/turns/list',
      params: { threadId, itemsView: view, limit: 20 },
    });
    if (cursor !== null)
      requests.push({
        name: `turns ${view} 20 middle`,
        method: 'thread/turns/list',
        params: { threadId, itemsView: view, limit: 20, cursor },
      });
  }
  requests.push({ name: 'items 50 first', method: 'thread/items/list', params: { threadId, limit: 50 } });
  const turnId = page.result.data[page.result.data.length - 1]?.id;
  if (turnId !== undefined)
    requests.push({
      name: 'items 50 of a middle turn',
      method: 'thread/items/list',
      params: { threadId, turnId, limit: 50 },
    });
  return requests;
};

/** One request on every side, `reps` times, the sides alternating call by call (after two warm-ups each): p50 / p99, or what refused it. */
const timeSidesInTurn = async (
  sides: ReadonlyArray<[string, Ask]>,
  r: Request,
  reps: number,
): Promise<Record<string, Record<string, unknown>>> => {
  const refused = new Map<string, string>();
  const times = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  for (const [name, ask] of sides)
    for (let i = 0; i < 2; i++) {
      const a = (await ask(r.method, r.params)) as { error?: unknown };
      if (a.error === undefined) continue;
      // Codex refuses some (thread/items/list of a legacy thread): said beside our time. Ours may not.
      if (name !== 'codex') throw new Error(`${r.name} (${name}): ${JSON.stringify(a.error)}`);
      refused.set(name, JSON.stringify(a.error));
    }
  for (let i = 0; i < reps; i++)
    for (const [name, ask] of sides) {
      if (refused.has(name)) continue;
      const t0 = performance.now();
      await ask(r.method, r.params);
      times.get(name)!.push(performance.now() - t0);
    }
  return Object.fromEntries(
    sides.map(([name]) => {
      const ts = times.get(name)!;
      return [
        name,
        {
          [r.name]: refused.has(name)
            ? { refused: refused.get(name) }
            : { p50: round(percentile(ts, 50)), p99: round(percentile(ts, 99)) },
        },
      ];
    }),
  );
};

const mergeSides = (
  into: Record<string, Record<string, unknown>>,
  add: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> =>
  Object.fromEntries(Object.keys(into).map((k) => [k, { ...into[k], ...add[k] }]));

/**
 * The targets on a real-shaped home (bench/realHome.ts: rollouts the real codex writes,
 * cloned to `size`): the long working thread of each mode (200 turns, tools, compactions) and a
 * whole fork of the paginated one (its turns read below the fork's cut), ours
 * through `serve` beside `codex app-server` on the same files, Codex's projection warmed with
 * `thread/resume` first. `engines` may name several builds (e.g. main's and this tree's) so a
 * before/after is measured in one run on the same home; they are timed in turns, request by request.
 */
const onRealHome = async (
  engines: ReadonlyArray<string>,
  size: string,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => {
  const { buildRealShapedHome } = await import('./realHome.js');
  const { openColdCodex } = await import('../test/compat/compatHomes.js');
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-pages-real-'));
  try {
    const home = await buildRealShapedHome(nodePath.join(tmp, 'home'), parseByteSize(size));
    // A whole fork of the long paginated thread (by reference, as Codex forks): its turns are read below a cut.
    const forked = execFileSync(
      process.execPath,
      [
        engines[0]!,
        'fork',
        home.long.paginated,
        '--exclude-turns',
        '--codex-home',
        home.codexHome,
        '--index-dir',
        nodePath.join(tmp, 'index-fork'),
        '--json',
        '-q',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const forkId = (JSON.parse(forked.toString('utf8')) as { thread: { id: string } }).thread.id;
    fs.rmSync(nodePath.join(tmp, 'index-fork'), { recursive: true, force: true });
    const servers = engines.map((engine, i) => {
      const indexDir = nodePath.join(tmp, `index-${i}`);
      execFileSync(
        process.execPath,
        [engine, 'index', '--codex-home', home.codexHome, '--index-dir', indexDir, '--json'],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      return spawnServe(engine, home.codexHome, indexDir);
    });
    const codex = withCodex
      ? await openColdCodex({ codexHome: home.codexHome, workDir: home.workDir } as Parameters<typeof openColdCodex>[0])
      : null;
    try {
      const asks = servers.map((c) => oursAsk(c));
      for (const [i, ask] of asks.entries()) await initialize(ask, (m) => servers[i]!.notify(m));
      const askCodex: Ask | null =
        codex === null
          ? null
          : async (m, p) => {
              try {
                return { result: await codex.server.request(m, p) };
              } catch (e) {
                return { error: String(e) };
              }
            };
      const out: Record<string, unknown> = {};
      const threads: ReadonlyArray<readonly [string, string]> = [
        ['paginated', home.long.paginated],
        ['legacy', home.long.legacy],
        ['paginatedFork', forkId],
      ];
      for (const [thread, threadId] of threads) {
        if (askCodex !== null) {
          const resumed = (await askCodex('thread/resume', { threadId })) as { error?: unknown };
          if (resumed.error !== undefined) throw new Error(`codex thread/resume: ${JSON.stringify(resumed.error)}`);
        }
        const requests = await targetRequests(asks[0]!, threadId);
        // Request by request, the sides taking turns call by call, so a busy moment of the machine hits all alike.
        const sides: Array<[string, Ask]> = [
          ...asks.map((a, i): [string, Ask] => [engines[i]!, a]),
          ...(askCodex === null ? [] : [['codex', askCodex] as [string, Ask]]),
        ];
        const times: Record<string, Record<string, unknown>> = Object.fromEntries(sides.map(([name]) => [name, {}]));
        for (const r of requests) Object.assign(times, mergeSides(times, await timeSidesInTurn(sides, r, reps)));
        out[thread] = { threadId, ...times };
      }
      return { size, files: home.files, bytes: home.bytes, meanLineBytes: home.meanLineBytes, ...out };
    } finally {
      for (const c of servers) await c.close();
      await codex?.stop();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};

/** `--real-size` alone (no `--sizes`): only the real-shaped home. */
export const runRealPagesBench = async (
  engines: ReadonlyArray<string>,
  size: string,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => ({
  reps,
  realHome: await onRealHome(engines, size, reps, withCodex),
});

export const runPagesBench = async (
  engineMain: string,
  sizes: ReadonlyArray<string>,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => {
  const threads: Array<Record<string, unknown>> = [];
  for (const mode of ['paginated', 'legacy'] as const)
    for (const size of sizes) threads.push(await sized(engineMain, size, mode, reps));
  // 1 GB vs 1 MB, request by request (target: within 2×).
  const ratios: Record<string, Record<string, number>> = {};
  for (const mode of ['paginated', 'legacy']) {
    const rows = threads.filter((t) => t['mode'] === mode);
    const small = rows[0];
    const large = rows[rows.length - 1];
    if (!small || !large || small === large) continue;
    const s = small['ours'] as Record<string, { p50: number }>;
    const l = large['ours'] as Record<string, { p50: number }>;
    ratios[`${mode} ${large['size']} / ${small['size']} p50`] = Object.fromEntries(
      Object.keys(l)
        .filter((k) => s[k])
        .map((k) => [k, round(l[k]!.p50 / s[k]!.p50)]),
    );
  }
  return { reps, threads, ratios, ...(withCodex ? { besideCodex: await besideCodex(engineMain, reps) } : {}) };
};
