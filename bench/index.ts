/**
 * `npm run bench -- index [--sizes 100MB,1GB] [--shapes heavy,real] [--json]`: for each shape and
 * size, build a temporary CODEX_HOME (heavy: generated Codex-shaped rollouts with large payloads,
 * bench/indexData.ts; real: clones of rollouts the real codex writes, ~0.6 KB lines,
 * bench/realHome.ts), then measure in child processes
 * (so peak RSS is per phase): the naive baseline (read every line, JSON.parse it, fold it with
 * the domain fold), our cold full index build (the CLI default: folding on one thread, reading on
 * a reader thread), the same reading on the folding thread, and with two worker threads. Our
 * phases run with the CLI's node flags and environment (adapters/driving/cli/nodeFlags.ts), the baseline
 * with Node's defaults (the CLI's old-generation flag trades the baseline's speed, not ours, for
 * memory: 15-20% slower naive runs), `reps` times in turns; the
 * figures are each phase's median run (peak RSS: its largest), the speedups ratios of medians. Throughput is rollout bytes / wall seconds (module loading excluded); the main thread's CPU seconds are given beside (steadier than wall time on a shared machine).
 * The generated data is deleted afterwards.
 */
import { median } from './stats.js';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateHome } from './indexData.js';
import type { GeneratedHome } from './indexData.js';
import { buildRealShapedHome } from './realHome.js';
import type { BenchShape, RealShapedHome } from './realHome.js';
import { CLI_NODE_ENV, CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';

const PHASE = fileURLToPath(new URL('./indexPhase.js', import.meta.url));

const UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9 };

export const parseSize = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${JSON.stringify(s)} (e.g. 100MB, 1GB)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
};

const runPhase = (args: string[]): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    // Ours as the CLI runs; the naive baseline as a plain `node` would run it.
    const ours = args[0] !== 'naive';
    const child = spawn(process.execPath, [...(ours ? CLI_NODE_FLAGS : []), PHASE, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: ours ? cliNodeEnv() : process.env,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`phase ${args[0]} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });

const mbps = (bytes: number, seconds: number): number => Math.round((bytes / 1e6 / seconds) * 10) / 10;

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** A phase's runs: the median run's figures, and every run's seconds and peak RSS. */
const summarise = (runs: ReadonlyArray<Record<string, unknown>>, bytes: number) => {
  const seconds = runs.map((r) => r['seconds'] as number);
  const med = median(seconds);
  return {
    MBps: mbps(bytes, med),
    seconds: med,
    minSeconds: Math.min(...seconds),
    cpuSeconds: median(runs.map((r) => r['cpuSeconds'] as number)),
    mainThreadCpuSeconds: median(runs.map((r) => (r['mainThreadCpuSeconds'] as number | null) ?? Number.NaN)),
    peakRssMB: Math.max(...runs.map((r) => r['maxRssMB'] as number)),
    runs: runs.map((r) => ({
      seconds: round(r['seconds'] as number, 3),
      mainThreadCpuSeconds: r['mainThreadCpuSeconds'],
      peakRssMB: round(r['maxRssMB'] as number, 1),
    })),
  };
};

/** The home a shape's run indexes: its bytes, lines and files (and what its builder tells). */
const buildHome = async (
  shape: BenchShape,
  home: string,
  bytes: number,
): Promise<GeneratedHome | Omit<RealShapedHome, 'workDir' | 'long'>> => {
  if (shape === 'heavy') return generateHome(home, bytes);
  const { workDir: _w, long: _l, ...real } = await buildRealShapedHome(home, bytes);
  return real;
};

export const runIndexBench = async (
  sizes: ReadonlyArray<string>,
  reps = 3,
  shapes: ReadonlyArray<BenchShape> = ['heavy', 'real'],
): Promise<Record<string, unknown>> => {
  const results: Record<string, unknown>[] = [];
  for (const shape of shapes)
    for (const size of sizes) {
      const root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'bench-index-'));
      try {
        const home = nodePath.join(root, 'home');
        const g0 = process.hrtime.bigint();
        const data = await buildHome(shape, home, parseSize(size));
        const generateSeconds = Number(process.hrtime.bigint() - g0) / 1e9;
        // The phases take turns, `reps` rounds: on a shared machine the load drifts over a run,
        // and interleaving spreads it over every phase alike. All read files the generator just
        // wrote (page cache warm for all); each build starts from an empty index.
        const runs: Record<'naive' | 'ours' | 'oneThread' | 'parallel', Record<string, unknown>[]> = {
          naive: [],
          ours: [],
          oneThread: [],
          parallel: [],
        };
        let indexSize = 0;
        for (let i = 0; i < reps; i++) {
          const dir = (name: string) => nodePath.join(root, `${name}-${i}`);
          runs.naive.push(await runPhase(['naive', home]));
          runs.ours.push(await runPhase(['index', home, dir('index'), '1']));
          indexSize = await dirBytes(dir('index'));
          runs.oneThread.push(await runPhase(['index', home, dir('index-one-thread'), '1', 'no-reader-thread']));
          runs.parallel.push(await runPhase(['index', home, dir('index-workers'), '2']));
          for (const name of ['index', 'index-one-thread', 'index-workers'])
            await fs.rm(dir(name), { recursive: true, force: true });
        }
        const naive = summarise(runs.naive, data.bytes);
        const indexResult = (rs: Record<string, unknown>[]) => {
          const s = summarise(rs, data.bytes);
          return {
            ...s,
            speedup: round(naive.seconds / s.seconds),
            workers: rs[0]!['workers'],
            readerThread: rs[0]!['readerThread'],
          };
        };
        const ours = indexResult(runs.ours);
        const first = runs.ours[0]!;
        results.push({
          shape,
          size,
          reps,
          data: {
            ...data,
            home: undefined,
            codexHome: undefined,
            MB: Math.round(data.bytes / 1e5) / 10,
            generateSeconds,
          },
          index: {
            ...ours,
            lines: first['lines'],
            files: first['files'],
            quarantined: first['quarantined'],
            indexMB: Math.round(indexSize / 1e5) / 10,
          },
          indexWithoutReaderThread: indexResult(runs.oneThread),
          indexTwoWorkers: indexResult(runs.parallel),
          naive: { ...naive, threads: runs.naive[0]!['threads'], turns: runs.naive[0]!['turns'] },
          speedup: ours.speedup,
        });
      } finally {
        await fs.rm(root, { recursive: true, force: true });
      }
    }
  return {
    suite: 'index',
    node: process.version,
    cpus: os.cpus().length,
    nodeFlags: CLI_NODE_FLAGS,
    nodeEnv: CLI_NODE_ENV,
    naiveNodeFlags: [],
    targets: { heavy: { speedup: 2.5, peakRssMB: 200 }, real: { speedup: 1.5, peakRssMB: 200 } },
    results,
  };
};

const dirBytes = async (dir: string): Promise<number> => {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile())
      total += (await fs.stat(nodePath.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).size;
  }
  return total;
};
