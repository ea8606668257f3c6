/**
 * `npm run bench -- index [--sizes 100MB,1GB] [--json]`: for each size, generate Codex-shaped
 * rollouts into a temporary CODEX_HOME (bench/indexData.ts), then measure in child processes
 * (so peak RSS is per phase): the naive baseline (read every line, JSON.parse it, fold it with
 * the domain fold), our cold full index build (the CLI default: folding on one thread, reading on
 * a reader thread), the same reading on the folding thread, and with two worker threads. Every
 * phase runs with the CLI's node flags (adapters/cli/nodeFlags.ts). Throughput is rollout bytes / wall seconds (module loading excluded).
 * The generated data is deleted afterwards.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateHome } from './indexData.js';
import { CLI_NODE_FLAGS } from '../adapters/cli/nodeFlags.js';

const PHASE = fileURLToPath(new URL('./indexPhase.js', import.meta.url));

const UNITS: Record<string, number> = { KB: 1e3, MB: 1e6, GB: 1e9 };

export const parseSize = (s: string): number => {
  const m = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${JSON.stringify(s)} (e.g. 100MB, 1GB)`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
};

const runPhase = (args: string[]): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    // Every phase, the baseline too, runs with the flags the CLI runs with.
    const child = spawn(process.execPath, [...CLI_NODE_FLAGS, PHASE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`phase ${args[0]} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });

const mbps = (bytes: number, seconds: number): number => Math.round((bytes / 1e6 / seconds) * 10) / 10;

export const runIndexBench = async (sizes: ReadonlyArray<string>): Promise<Record<string, unknown>> => {
  const results: Record<string, unknown>[] = [];
  for (const size of sizes) {
    const root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'bench-index-'));
    try {
      const home = nodePath.join(root, 'home');
      const g0 = process.hrtime.bigint();
      const data = await generateHome(home, parseSize(size));
      const generateSeconds = Number(process.hrtime.bigint() - g0) / 1e9;
      // Naive first, then ours: all read files the generator just wrote (page cache warm for all).
      const naive = await runPhase(['naive', home]);
      const ours = await runPhase(['index', home, nodePath.join(root, 'index'), '1']);
      const indexSize = await dirBytes(nodePath.join(root, 'index'));
      const oneThread = await runPhase(['index', home, nodePath.join(root, 'index-one-thread'), '1', 'no-reader-thread']);
      const parallel = await runPhase(['index', home, nodePath.join(root, 'index-workers'), '2']);
      const naiveMBps = mbps(data.bytes, naive['seconds'] as number);
      const indexResult = (r: Record<string, unknown>) => {
        const MBps = mbps(data.bytes, r['seconds'] as number);
        return { MBps, speedup: Math.round((MBps / naiveMBps) * 100) / 100, seconds: r['seconds'], cpuSeconds: r['cpuSeconds'], peakRssMB: r['maxRssMB'], workers: r['workers'], readerThread: r['readerThread'] };
      };
      results.push({
        size,
        data: { ...data, home: undefined, MB: Math.round(data.bytes / 1e5) / 10, generateSeconds },
        index: { ...indexResult(ours), lines: ours['lines'], files: ours['files'], quarantined: ours['quarantined'], indexMB: Math.round(indexSize / 1e5) / 10 },
        indexWithoutReaderThread: indexResult(oneThread),
        indexTwoWorkers: indexResult(parallel),
        naive: { MBps: naiveMBps, seconds: naive['seconds'], cpuSeconds: naive['cpuSeconds'], peakRssMB: naive['maxRssMB'], threads: naive['threads'], turns: naive['turns'] },
        speedup: indexResult(ours).speedup,
      });
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
  return {
    suite: 'index',
    node: process.version,
    cpus: os.cpus().length,
    targets: { speedup: 2.5, peakRssMB: 200 },
    results,
  };
};

const dirBytes = async (dir: string): Promise<number> => {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await fs.stat(nodePath.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).size;
  }
  return total;
};
