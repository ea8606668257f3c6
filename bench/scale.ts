/**
 * `npm run bench -- scale [--rollouts 20000] [--reps N]`: a home of many threads (issue 22's
 * scale finding: at 20,000 rollouts `index` took 20.6 s and 400 MB, a warm `thread/list` 2.2–3.8 s).
 * The home is real-shaped (bench/realHome.ts): clones of the rollouts the real codex wrote, up to
 * 150 kB each (as most of a user's threads are), `--rollouts` files. Measured: `index` on a fresh
 * index (wall seconds, CPU seconds, peak RSS, through cliPhase.js), a no-op `index` after it, and
 * a started `serve`'s warm `thread/list` (limit 100, and limit 25 with a cursor from the middle)
 * p50 / p99 over 50 requests after 3 warm-ups. Milliseconds unless named; medians of `--reps`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';
import { spawnRpcServer } from '../test/fixtures/stdioRpcClient.js';
import type { RpcAnswer } from '../test/fixtures/stdioRpcClient.js';
import { buildRealShapedHome } from './realHome.js';
import { median, percentile } from './stats.js';
import { BUNDLED_CLI } from './bundledCli.js';
import type { ResultOf } from '../protocol/methods.js';

const WARM = 50;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** One CLI run through cliPhase.js: wall and CPU seconds, peak RSS. */
const cliRun = (
  cli: string,
  args: ReadonlyArray<string>,
): { seconds: number; cpuSeconds: number; maxRssMB: number } => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...CLI_NODE_FLAGS, cli, ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: cliNodeEnv(),
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr?.toString()}`);
  const phase = JSON.parse(r.output[3]!.toString().trim()) as { cpuSeconds: number; maxRssMB: number };
  return { seconds: round(seconds, 2), cpuSeconds: round(phase.cpuSeconds, 2), maxRssMB: round(phase.maxRssMB) };
};

const result = (a: RpcAnswer, what: string): unknown => {
  if ('error' in a) throw new Error(`${what}: ${JSON.stringify(a.error)}`);
  return a.result;
};

/** p50 / p99 of `WARM` answers to one request, after 3 warm-ups. */
const timed = async (ask: () => Promise<RpcAnswer>): Promise<{ p50: number; p99: number }> => {
  for (let i = 0; i < 3; i++) result(await ask(), 'warm-up');
  const ms: number[] = [];
  for (let i = 0; i < WARM; i++) {
    const t0 = performance.now();
    result(await ask(), 'thread/list');
    ms.push(performance.now() - t0);
  }
  return { p50: round(percentile(ms, 50), 2), p99: round(percentile(ms, 99), 2) };
};

export const runScaleBench = async (rollouts: number, reps: number): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-scale-'));
  const cli = nodePath.resolve(process.cwd(), 'dist/bench/cliPhase.js');
  const engine = BUNDLED_CLI;
  try {
    const home = nodePath.join(tmp, 'home');
    const built = await buildRealShapedHome(home, Infinity, undefined, { maxFiles: rollouts, maxFileBytes: 150_000 });
    const indexDir = nodePath.join(tmp, 'index');
    const onHome = ['--codex-home', home, '--index-dir', indexDir, '-q'];
    const builds = [];
    for (let i = 0; i < reps; i++) {
      fs.rmSync(indexDir, { recursive: true, force: true });
      builds.push(cliRun(cli, ['index', ...onHome]));
    }
    const build = builds.sort((a, b) => a.seconds - b.seconds)[Math.floor(builds.length / 2)]!;
    const noop = cliRun(cli, ['index', ...onHome]);
    const s = spawnRpcServer(process.execPath, [engine, 'serve', '--codex-home', home, '--index-dir', indexDir]);
    try {
      await s.typed.request('initialize', {
        clientInfo: { name: 'bench', version: '0' },
        capabilities: { experimentalApi: true },
      });
      s.notify('initialized');
      const first = await s.typed.request('thread/list', { limit: 100 });
      let cursor: string | null = null;
      for (let i = 0; i < Math.floor(built.threads / 200); i++) {
        const page: ResultOf<'thread/list'> = await s.typed.request('thread/list', { limit: 100, cursor });
        cursor = page.nextCursor;
      }
      const limit100 = await timed(() => s.request('thread/list', { limit: 100 }));
      const middle = await timed(() => s.request('thread/list', { limit: 25, cursor }));
      return {
        home: {
          rollouts: built.files,
          threads: built.threads,
          bytes: built.bytes,
          lines: built.lines,
          meanLineBytes: built.meanLineBytes,
        },
        index: { ...build, runs: builds.map((b) => b.seconds), medianSeconds: median(builds.map((b) => b.seconds)) },
        noopIndex: noop,
        warmThreadList: { firstPageRows: first.data.length, limit100, limit25FromMiddle: middle, requests: WARM },
        target: { warmThreadListMs: 20 },
      };
    } finally {
      await s.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
