/**
 * `npm run bench -- startup [--runs 7] [--engine CLI]`: what a CLI run costs before and around its
 * work, as a shell runs it (`node <CLI flags> <CLI> …`, a fresh process each time): bare
 * `node -e 0`, `rollout-engine --version`, `--help`, a warm `turns` page (the default summary
 * view, 25 turns) of a real-shaped thread whose index is current, a warm `tokens --by day-utc
 * --breakdown model --json` of the home, and a `serve` on the warm index from its spawn to the
 * answer of `initialize` and of the first `thread/list` (limit 25). Each is run `runs` times
 * after one warm-up; the median and every run's wall seconds, and the median run's CPU seconds and
 * peak RSS (`cliPhase.ts`; serve: wall only). `--engine`: another build's entry point (the tsc
 * output `dist/adapters/driving/cli/main.js`, or a baseline's), by default the bundle users run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { CLI_PHASE, phaseRun } from './phaseRun.js';
import { buildRealShapedHome } from './realHome.js';
import { spawnServe } from './serveCommand.js';
import { resultOrThrow } from '../test/fixtures/stdioRpcClient.js';

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
}

/** One process: wall seconds, and (for the CLI, through cliPhase.js) its CPU seconds and peak RSS. */
const runOnce = (args: ReadonlyArray<string>, engine?: string): Run =>
  phaseRun(args, { reportOptional: true, ...(engine === undefined ? {} : { env: { CLI_PHASE_ENGINE: engine } }) });

const measure = (args: ReadonlyArray<string>, runs: number, engine?: string): Record<string, unknown> => {
  runOnce(args, engine);
  const all = Array.from({ length: runs }, () => runOnce(args, engine)).sort((a, b) => a.seconds - b.seconds);
  const mid = all[Math.floor(all.length / 2)]!;
  return {
    medianSeconds: round(mid.seconds),
    cpuSeconds: round(mid.cpuSeconds),
    maxRssMB: round(mid.maxRssMB, 1),
    runs: all.map((r) => round(r.seconds)),
  };
};

/** Bare node, reporting its resource use as cliPhase.js does. */
const NODE_ONLY =
  'const ru = process.resourceUsage(); require("node:fs").writeSync(3, JSON.stringify({ cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, maxRssMB: ru.maxRSS / 1024 }))';

/** A fresh `serve` on a warm index: spawn → `initialize` answered, spawn → the first `thread/list` answered (seconds). */
const serveOnce = async (
  engine: string,
  home: string,
  indexDir: string,
): Promise<{ initialize: number; firstList: number }> => {
  const t0 = performance.now();
  const s = spawnServe(engine, home, indexDir);
  try {
    resultOrThrow(
      await s.request('initialize', {
        clientInfo: { name: 'bench', version: '0' },
        capabilities: { experimentalApi: true },
      }),
    );
    const initialize = (performance.now() - t0) / 1000;
    s.notify('initialized');
    resultOrThrow(await s.request('thread/list', { limit: 25 }));
    return { initialize, firstList: (performance.now() - t0) / 1000 };
  } finally {
    await s.close();
  }
};

const measureServe = async (
  engine: string,
  home: string,
  indexDir: string,
  runs: number,
): Promise<Record<string, unknown>> => {
  await serveOnce(engine, home, indexDir);
  const all: Array<{ initialize: number; firstList: number }> = [];
  for (let i = 0; i < runs; i++) all.push(await serveOnce(engine, home, indexDir));
  const mid = (xs: number[]) => round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
  return {
    initializeSeconds: mid(all.map((r) => r.initialize)),
    firstListSeconds: mid(all.map((r) => r.firstList)),
    runs: all.map((r) => round(r.firstList)),
  };
};

export const runStartupBench = async (runs: number, engine: string): Promise<Record<string, unknown>> => {
  const cli = CLI_PHASE;
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-startup-'));
  try {
    const home = await buildRealShapedHome(nodePath.join(tmp, 'home'), 5e6);
    const indexDir = nodePath.join(tmp, 'index');
    const onHome = ['--codex-home', home.codexHome, '--index-dir', indexDir];
    runOnce([cli, 'index', ...onHome, '-q'], engine);
    return {
      engine,
      runs,
      nodeOnly: measure(['-e', NODE_ONLY], runs),
      version: measure([cli, '--version'], runs, engine),
      help: measure([cli, '--help'], runs, engine),
      warmTurnsPage: measure([cli, 'turns', home.long.legacy, ...onHome, '-q'], runs, engine),
      warmTokens: measure(
        [cli, 'tokens', '--by', 'day-utc', '--breakdown', 'model', '--json', ...onHome, '-q'],
        runs,
        engine,
      ),
      serveFirstAnswer: await measureServe(engine, home.codexHome, indexDir, runs),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
