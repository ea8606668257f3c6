/**
 * `npm run bench -- search [--size 300MB] [--reps 20] [--no-codex] [--baseline-engine PATH]`:
 * thread/search on a real-shaped home (bench/realHome.ts). The index build with the search
 * projection (this tree), cold, median wall seconds, and its size; with `--baseline-engine` (the CLI
 * of a build without search) the same for that build beside it; then each query's p50 / p90
 * through `serve`, beside the real `codex app-server` on the same files (warmed by a first
 * untimed search of every query, which also checks that both answer the same threads and
 * snippets, and timed once both processes are idle).
 */
import { spawnServe } from './serveCommand.js';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import type { RpcAnswer } from '../test/fixtures/stdioRpcClient.js';
import { median, percentile } from './stats.js';
import { whenIdle } from './processIdle.js';
import { parseByteSize } from './byteSize.js';
import type { ResultOf } from '../protocol/methods.js';
import type { ColdCodex } from '../test/compat/compatHomes.js';

type Ask = (params: Record<string, unknown>) => Promise<RpcAnswer>;

const QUERIES: ReadonlyArray<{ readonly label: string; readonly params: Record<string, unknown> }> = [
  { label: 'common word', params: { searchTerm: 'fact' } },
  { label: 'phrase', params: { searchTerm: 'tell me fact number 17' } },
  { label: 'case variant', params: { searchTerm: 'FACT NUMBER 3' } },
  { label: 'non-ASCII', params: { searchTerm: 'café ✓' } },
  { label: 'injected context', params: { searchTerm: '<cwd>' } },
  { label: 'no match', params: { searchTerm: 'zqxj no such text' } },
  { label: 'no match, words everywhere', params: { searchTerm: 'fact number 17 again' } },
  {
    label: 'updated_at asc, limit 100',
    params: { searchTerm: 'answer', sortKey: 'updated_at', sortDirection: 'asc', limit: 100 },
  },
];

const duBytes = (dir: string): number => {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = nodePath.join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : fs.statSync(p).blocks * 512;
  }
  return total;
};

const coldIndexSeconds = (engine: string, home: string, indexDir: string): number => {
  fs.rmSync(indexDir, { recursive: true, force: true });
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, [engine, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

/** What must be equal between the two answers: threads and snippets in order, and the cursor's thread. */
const gist = (a: RpcAnswer): unknown =>
  'error' in a
    ? a
    : {
        data: (a.result as ResultOf<'thread/search'>).data.map((d) => [d.thread.id, d.snippet]),
        next: ((a.result as ResultOf<'thread/search'>).nextCursor ?? '').split('|')[1] ?? null,
      };

const timeAsk = async (
  ask: Ask,
  params: Record<string, unknown>,
  reps: number,
): Promise<{ p50: number; p90: number }> => {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    const a = await ask(params);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if ('error' in a) throw new Error(`${JSON.stringify(params)}: ${JSON.stringify(a.error)}`);
  }
  return { p50: Math.round(median(ms) * 100) / 100, p90: Math.round(percentile(ms, 90) * 100) / 100 };
};

/**
 * The index built cold twice by each build (the runs alternating, so a busy moment of the machine
 * hits both alike): median seconds and bytes with the search projection, and without it when a
 * baseline build is given.
 */
const indexBuilds = (
  engine: string,
  baselineEngine: string | null,
  codexHome: string,
  withSearch: string,
  without: string,
): Record<string, number> => {
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 2; i++) {
    if (baselineEngine !== null) base.push(coldIndexSeconds(baselineEngine, codexHome, without));
    ours.push(coldIndexSeconds(engine, codexHome, withSearch));
  }
  return {
    coldSecondsWithSearch: Math.round(median(ours) * 100) / 100,
    bytesWithSearch: duBytes(withSearch),
    ...(baselineEngine === null
      ? {}
      : {
          coldSecondsWithout: Math.round(median(base) * 100) / 100,
          overheadPercent: Math.round((median(ours) / median(base) - 1) * 1000) / 10,
          bytesWithout: duBytes(without),
        }),
  };
};

/** thread/search asked of the real codex app-server: a refusal is an error answer, as ours gives. */
const codexSearch =
  (codex: ColdCodex): Ask =>
  async (p) => {
    try {
      return { result: await codex.server.request('thread/search', p) };
    } catch (e) {
      return { error: { code: -1, message: String(e) } };
    }
  };

/** One query's row: what ours found, both sides' times, and whether both answered the same threads and snippets. */
const timeQuery = async (
  q: (typeof QUERIES)[number],
  first: RpcAnswer,
  codexFirst: RpcAnswer | null,
  askOurs: Ask,
  askCodex: Ask | null,
  reps: number,
): Promise<Record<string, unknown>> => {
  const found = 'result' in first ? (first.result as ResultOf<'thread/search'>).data.length : -1;
  const oursTimes = await timeAsk(askOurs, q.params, reps);
  const codexTimes = askCodex === null ? null : await timeAsk(askCodex, q.params, Math.max(3, Math.ceil(reps / 4)));
  return {
    label: q.label,
    params: q.params,
    found,
    ours: oursTimes,
    ...(codexTimes === null
      ? {}
      : { codex: codexTimes, speedup: Math.round((codexTimes.p50 / oursTimes.p50) * 10) / 10 }),
    ...(codexFirst === null
      ? {}
      : { sameThreadsAndSnippets: JSON.stringify(gist(codexFirst)) === JSON.stringify(gist(first)) }),
  };
};

/**
 * Every query asked of both once before any is timed, and both left to finish what starting began
 * (codex fills its state database from the home after it answers): the first query timed would
 * otherwise share the two cores with that work. Then each query timed, in order.
 */
const timeQueries = async (
  askOurs: Ask,
  askCodex: Ask | null,
  pids: ReadonlyArray<number | undefined>,
  reps: number,
): Promise<Array<Record<string, unknown>>> => {
  const firsts: Array<{ readonly first: RpcAnswer; readonly codexFirst: RpcAnswer | null }> = [];
  for (const q of QUERIES)
    firsts.push({
      first: await askOurs(q.params),
      codexFirst: askCodex === null ? null : await askCodex(q.params),
    });
  await whenIdle(pids);
  const queries: Array<Record<string, unknown>> = [];
  for (const [i, q] of QUERIES.entries()) {
    const { first, codexFirst } = firsts[i]!;
    queries.push(await timeQuery(q, first, codexFirst, askOurs, askCodex, reps));
  }
  return queries;
};

export const runSearchBench = async (
  engine: string,
  baselineEngine: string | null,
  size: string,
  reps: number,
  withCodex: boolean,
): Promise<Record<string, unknown>> => {
  const { buildRealShapedHome } = await import('./realHome.js');
  const { openColdCodex } = await import('../test/compat/compatHomes.js');
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-search-'));
  try {
    const home = await buildRealShapedHome(nodePath.join(tmp, 'home'), parseByteSize(size));
    const withSearch = nodePath.join(tmp, 'index');
    const index = indexBuilds(engine, baselineEngine, home.codexHome, withSearch, nodePath.join(tmp, 'index-baseline'));
    const serve = spawnServe(engine, home.codexHome, withSearch);
    const codex = withCodex
      ? await openColdCodex({ codexHome: home.codexHome, workDir: home.workDir } as Parameters<typeof openColdCodex>[0])
      : null;
    try {
      await serve.request('initialize', { clientInfo: { name: 'bench', version: '0' } });
      serve.notify('initialized');
      const askOurs: Ask = (p) => serve.request('thread/search', p);
      const askCodex = codex === null ? null : codexSearch(codex);
      const queries = await timeQueries(askOurs, askCodex, [serve.child.pid, codex?.server.pid], reps);
      return {
        size,
        files: home.files,
        threads: home.threads,
        bytes: home.bytes,
        meanLineBytes: home.meanLineBytes,
        reps,
        index,
        queries,
      };
    } finally {
      await serve.close();
      await codex?.stop();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
