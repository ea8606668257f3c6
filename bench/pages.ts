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
import { jsonlRolloutStore } from '../test/oracle/rolloutStore.js';
import { foldThread } from '../test/oracle/wholeFileFold.js';
import { toApiTurn, visibleTurnEntries } from '../test/oracle/referenceTurnFold.js';
import { generateThread } from './pagesData.js';
import type { HistoryMode } from '../domain/rollout/historyMode.js';
import { parseByteSize } from './byteSize.js';
import { initialize, oursAsk, round, timeRequests } from './pagesTiming.js';
import type { Ask, Request } from './pagesTiming.js';
import { onRealHome } from './pagesRealHome.js';

// bench/read.ts, serve.ts and upstream.ts import it from here.
export { parseByteSize } from './byteSize.js';

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
