/**
 * `npm run bench -- startup [--runs 7]`: what a CLI run costs before and around its work, as a
 * shell runs it (`node <CLI flags> main.js …`, a fresh process each time): bare `node -e 0`,
 * `rollout-engine --help`, and a warm `turns` page (the default summary view, 25 turns) of a
 * real-shaped thread whose index is current. Each is run `runs` times after one warm-up; the
 * median and every run's wall seconds, and the median run's CPU seconds and peak RSS
 * (`cliPhase.ts`). Node 20 has no compile cache: a run's cost is mostly the modules it loads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/cli/nodeFlags.js';
import { buildRealShapedHome } from './realHome.js';

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
}

/** One process: wall seconds, and (for the CLI, through cliPhase.js) its CPU seconds and peak RSS. */
const runOnce = (args: ReadonlyArray<string>): Run => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...CLI_NODE_FLAGS, ...args], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: cliNodeEnv() });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr?.toString()}`);
  const report = r.output[3]?.toString().trim();
  const phase = report ? (JSON.parse(report) as { cpuSeconds: number; maxRssMB: number }) : { cpuSeconds: NaN, maxRssMB: NaN };
  return { seconds, cpuSeconds: phase.cpuSeconds, maxRssMB: phase.maxRssMB };
};

const measure = (args: ReadonlyArray<string>, runs: number): Record<string, unknown> => {
  runOnce(args);
  const all = Array.from({ length: runs }, () => runOnce(args)).sort((a, b) => a.seconds - b.seconds);
  const mid = all[Math.floor(all.length / 2)]!;
  return { medianSeconds: round(mid.seconds), cpuSeconds: round(mid.cpuSeconds), maxRssMB: round(mid.maxRssMB, 1), runs: all.map((r) => round(r.seconds)) };
};

/** Bare node, reporting its resource use as cliPhase.js does. */
const NODE_ONLY =
  'const ru = process.resourceUsage(); require("node:fs").writeSync(3, JSON.stringify({ cpuSeconds: (ru.userCPUTime + ru.systemCPUTime) / 1e6, maxRssMB: ru.maxRSS / 1024 }))';

export const runStartupBench = async (runs: number): Promise<Record<string, unknown>> => {
  const cli = nodePath.resolve(process.cwd(), 'dist/bench/cliPhase.js');
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-startup-'));
  try {
    const home = await buildRealShapedHome(nodePath.join(tmp, 'home'), 5e6);
    const indexDir = nodePath.join(tmp, 'index');
    const onHome = ['--codex-home', home.codexHome, '--index-dir', indexDir];
    runOnce([cli, 'index', ...onHome, '-q']);
    return {
      runs,
      nodeOnly: measure(['-e', NODE_ONLY], runs),
      help: measure([cli, '--help'], runs),
      warmTurnsPage: measure([cli, 'turns', home.long.legacy, ...onHome, '-q'], runs),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
