/**
 * `npm run bench -- tokens --vs ccusage [--size 300MB] [--reps 5] [--ccusage VERSION]`: the tool
 * Codex users run for token reports (`ccusage codex daily --json`) beside `rollout-engine tokens`
 * on the same real-shaped home (bench/realHome.ts), in one run. ccusage is installed into the
 * bench's scratch folder from the registry (never a dependency of this package). Both run as
 * processes with TZ=UTC (ours with the CLI's node flags and environment, as its shebang runs it);
 * per run: wall seconds and peak RSS (GNU time). Ours fresh (no index: the run catches up the token
 * projection alone) and warm (the index current). Then the totals per UTC day and model, compared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { parseByteSize } from './pages.js';
import { buildRealShapedHome } from './realHome.js';
import { percentile } from './stats.js';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/cli/nodeFlags.js';

interface Run {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
}

/** One process under GNU time: its wall seconds, peak RSS and output. */
const timedRun = (file: string, args: readonly string[], env: NodeJS.ProcessEnv): Run => {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', file, ...args], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  const [seconds, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds: seconds!, peakRssMb: Math.round(kb! / 1024), stdout: r.stdout };
};

const summary = (runs: readonly Run[]) => ({
  medianSeconds: percentile(
    runs.map((r) => r.seconds),
    50,
  ),
  peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  runs: runs.map((r) => r.seconds),
});

/** Tokens of one day and model, in ccusage's terms (input without the cached part). */
interface Cell {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
  total: number;
}

type Cells = Map<string, Cell>;

const ccusageCells = (json: string): Cells => {
  const out: Cells = new Map();
  const doc = JSON.parse(json) as {
    daily: Array<{
      date: string;
      models: Record<string, { inputTokens: number; cacheReadTokens: number; outputTokens: number; reasoningOutputTokens: number; totalTokens: number }>;
    }>;
  };
  for (const d of doc.daily)
    for (const [model, m] of Object.entries(d.models))
      out.set(`${d.date} ${model}`, {
        input: m.inputTokens,
        cached: m.cacheReadTokens,
        output: m.outputTokens,
        reasoning: m.reasoningOutputTokens,
        total: m.totalTokens,
      });
  return out;
};

const ourCells = (json: string): Cells => {
  const out: Cells = new Map();
  const doc = JSON.parse(json) as {
    groups: Array<{
      key: string | null;
      models: Array<{ model: string | null; inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningOutputTokens: number; totalTokens: number }>;
    }>;
  };
  for (const g of doc.groups)
    for (const m of g.models)
      out.set(`${g.key} ${m.model}`, {
        input: m.inputTokens - m.cachedInputTokens,
        cached: m.cachedInputTokens,
        output: m.outputTokens,
        reasoning: m.reasoningOutputTokens,
        total: m.totalTokens,
      });
  return out;
};

const totalOf = (cells: Cells): number => [...cells.values()].reduce((n, c) => n + c.total, 0);

export interface TokensVsCcusageArgs {
  readonly size: string;
  readonly reps: number;
  readonly ccusageVersion: string;
  readonly engine: string;
}

export const runTokensVsCcusage = async (args: TokensVsCcusageArgs): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-ccusage-'));
  try {
    const scratch = nodePath.join(tmp, 'ccusage');
    fs.mkdirSync(scratch);
    execFileSync('npm', ['install', '--prefix', scratch, `ccusage@${args.ccusageVersion}`, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'ignore' });
    const ccusageBin = nodePath.join(scratch, 'node_modules', '.bin', 'ccusage');
    const installed = (JSON.parse(fs.readFileSync(nodePath.join(scratch, 'node_modules', 'ccusage', 'package.json'), 'utf8')) as { version: string }).version;
    const home = nodePath.join(tmp, 'home');
    const built = await buildRealShapedHome(home, parseByteSize(args.size));
    const indexDir = nodePath.join(tmp, 'index');
    const env = cliNodeEnv({ ...process.env, TZ: 'UTC', CODEX_HOME: home });
    // As a shell runs the CLI: its shebang's flags and environment (adapters/cli/nodeFlags.ts).
    const ours = [
      process.execPath,
      [...CLI_NODE_FLAGS, args.engine, 'tokens', '--by', 'day-utc', '--breakdown', 'model', '--json', '-q', '--codex-home', home, '--index-dir', indexDir],
    ] as const;
    const ccusage: Run[] = [];
    const fresh: Run[] = [];
    const warm: Run[] = [];
    for (let i = 0; i < args.reps; i++) {
      ccusage.push(timedRun(ccusageBin, ['codex', 'daily', '--json'], env));
      fs.rmSync(indexDir, { recursive: true, force: true });
      fresh.push(timedRun(ours[0], ours[1], env));
      warm.push(timedRun(ours[0], ours[1], env));
    }
    const theirs = ccusageCells(ccusage[0]!.stdout);
    const mine = ourCells(warm[0]!.stdout);
    const differing = [...new Set([...theirs.keys(), ...mine.keys()])]
      .filter((k) => JSON.stringify(theirs.get(k)) !== JSON.stringify(mine.get(k)))
      .map((k) => ({ dayAndModel: k, ccusage: theirs.get(k) ?? null, ours: mine.get(k) ?? null }));
    const c = summary(ccusage);
    const f = summary(fresh);
    const w = summary(warm);
    return {
      ccusage: installed,
      home: { size: args.size, bytes: built.bytes, files: built.files, threads: built.threads, lines: built.lines },
      reps: args.reps,
      totals: { ccusage: totalOf(theirs), ours: totalOf(mine), dayModelCells: theirs.size, differing },
      seconds: { ccusage: c, oursFresh: f, oursWarm: w },
      ratios: {
        freshVsCcusage: Math.round((f.medianSeconds / c.medianSeconds) * 100) / 100,
        ccusageVsWarm: Math.round((c.medianSeconds / w.medianSeconds) * 10) / 10,
      },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
