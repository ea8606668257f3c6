/**
 * `npm run bench -- verify [--size 300MB] [--kill-at 0.5,0.75] [--rounds N]`: `verify` and `repair`
 * after an interrupted index, against `index --rebuild` (issue 21). A line-dense home is generated
 * (bench/indexData.ts with 1 KB tool outputs: many rows per MB), `rollout-engine index` is killed
 * with SIGKILL once its data file holds the given share of a complete index's, and from that same
 * index (a copy restored before each command) it runs, in turns, `rounds` times: `verify`, then
 * `repair` (with verify's findings), `repair` without them, and `index --rebuild`. Each command is
 * a process of its own with the CLI's node flags; seconds are wall time from spawn to exit, peak
 * RSS its own maxRSS. Medians of the rounds (peak RSS: the largest). Data is deleted afterwards.
 */
import { median } from './stats.js';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { generateHome } from './indexData.js';
import { buildRealShapedHome } from './realHome.js';
import type { BenchShape } from './realHome.js';
import { parseSize } from './index.js';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';

const PHASE = fileURLToPath(new URL('./cliPhase.js', import.meta.url));

interface Run {
  readonly seconds: number;
  readonly peakRssMB: number;
  readonly exitCode: number;
  readonly stdout: string;
}

const collect = (s: Readable | null): Promise<string> =>
  new Promise((resolve) => {
    let out = '';
    s?.on('data', (d: Buffer) => (out += d.toString()));
    s?.on('end', () => resolve(out));
  });

/** One CLI command in its own process. */
const cli = async (args: ReadonlyArray<string>): Promise<Run> => {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, PHASE, ...args], {
    stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
    env: cliNodeEnv(),
  });
  const [stdout, usage] = await Promise.all([
    collect(child.stdout),
    collect(child.stdio[3] as Readable),
    new Promise((r) => child.once('exit', r)),
  ]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const u = JSON.parse(usage.trim()) as { maxRssMB: number; exitCode: number };
  return { seconds, peakRssMB: u.maxRssMB, exitCode: u.exitCode, stdout };
};

/** Bytes the index's data file takes on disk (the map is sparse: allocated blocks). */
const dataBytes = async (indexDir: string): Promise<number> => {
  const st = await fs.stat(nodePath.join(indexDir, 'index', 'data.mdb')).catch(() => undefined);
  return st === undefined ? 0 : st.blocks * 512;
};

/** `rollout-engine index`, killed with SIGKILL once its data file holds `bytes`. */
const interruptedIndex = async (home: string, bytes: number): Promise<number> => {
  const child = spawn(process.execPath, [...CLI_NODE_FLAGS, PHASE, 'index', '--codex-home', home], {
    stdio: ['ignore', 'ignore', 'inherit', 'ignore'],
    env: cliNodeEnv(),
  });
  const exited = new Promise((r) => child.once('exit', r));
  const indexDir = nodePath.join(home, '.rollout-engine');
  for (let done = false; !done;) {
    done = (await Promise.race([
      exited.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 20)),
    ])) as boolean;
    if (!done && (await dataBytes(indexDir)) >= bytes) {
      child.kill('SIGKILL');
      await exited;
      done = true;
    }
  }
  return dataBytes(indexDir);
};

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const summary = (runs: ReadonlyArray<Run>) => ({
  seconds: round(median(runs.map((r) => r.seconds))),
  peakRssMB: round(Math.max(...runs.map((r) => r.peakRssMB)), 1),
  runs: runs.map((r) => ({ seconds: round(r.seconds), peakRssMB: round(r.peakRssMB, 1) })),
});

export const runVerifyBench = async (
  size: string,
  killAt: ReadonlyArray<number>,
  rounds: number,
  shapes: ReadonlyArray<BenchShape> = ['heavy', 'real'],
): Promise<Record<string, unknown>> => {
  const out: Record<string, unknown> = {
    suite: 'verify',
    node: process.version,
    cpus: os.cpus().length,
    nodeFlags: CLI_NODE_FLAGS,
  };
  for (const shape of shapes) out[shape] = await verifyOn(shape, size, killAt, rounds);
  return out;
};

const verifyOn = async (
  shape: BenchShape,
  size: string,
  killAt: ReadonlyArray<number>,
  rounds: number,
): Promise<Record<string, unknown>> => {
  const root = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'bench-verify-'));
  try {
    const home = nodePath.join(root, 'home');
    const data =
      shape === 'real'
        ? await buildRealShapedHome(home, parseSize(size))
        : await generateHome(home, parseSize(size), 1, { toolOutputBytes: 1024 });
    const indexDir = nodePath.join(home, '.rollout-engine');
    const saved = nodePath.join(root, 'saved');
    const full = await cli(['index', '--codex-home', home]);
    const fullBytes = await dataBytes(indexDir);
    const restore = async () => {
      await fs.rm(indexDir, { recursive: true, force: true });
      await fs.cp(saved, indexDir, { recursive: true });
    };
    const scenarios: Record<string, unknown>[] = [];
    for (const share of killAt) {
      await fs.rm(indexDir, { recursive: true, force: true });
      const killedAt = await interruptedIndex(home, Math.round(fullBytes * share));
      await fs.rm(saved, { recursive: true, force: true });
      await fs.cp(indexDir, saved, { recursive: true });
      const runs = {
        verify: [] as Run[],
        repairAfterVerify: [] as Run[],
        repairWithoutVerify: [] as Run[],
        rebuild: [] as Run[],
      };
      for (let i = 0; i < rounds; i++) {
        await restore();
        runs.verify.push(await cli(['verify', '--codex-home', home, '--json']));
        runs.repairAfterVerify.push(await cli(['repair', '--codex-home', home, '--json']));
        await restore();
        runs.repairWithoutVerify.push(await cli(['repair', '--codex-home', home, '--json']));
        await restore();
        runs.rebuild.push(await cli(['index', '--codex-home', home, '--rebuild', '--json']));
      }
      const verified = JSON.parse(runs.verify[0]!.stdout) as { differences: number; byTable: unknown };
      const repaired = (r: Run) => {
        const j = JSON.parse(r.stdout) as { strategy: string; reason: string };
        return { strategy: j.strategy, reason: j.reason };
      };
      const rebuild = summary(runs.rebuild);
      scenarios.push({
        killedAtShareOfIndex: round(killedAt / fullBytes),
        verify: { ...summary(runs.verify), differences: verified.differences, byTable: verified.byTable },
        repairAfterVerify: {
          ...summary(runs.repairAfterVerify),
          ...repaired(runs.repairAfterVerify[0]!),
          vsRebuild: round(median(runs.repairAfterVerify.map((r) => r.seconds)) / rebuild.seconds),
        },
        repairWithoutVerify: {
          ...summary(runs.repairWithoutVerify),
          ...repaired(runs.repairWithoutVerify[0]!),
          vsRebuild: round(median(runs.repairWithoutVerify.map((r) => r.seconds)) / rebuild.seconds),
        },
        rebuild,
      });
    }
    return {
      targets: { peakRssMB: 300, repairVsRebuild: 1 },
      data: { ...data, home: undefined, codexHome: undefined, MB: round(data.bytes / 1e6, 1) },
      fullIndex: {
        seconds: round(full.seconds),
        peakRssMB: round(full.peakRssMB, 1),
        dataMB: round(fullBytes / 1e6, 1),
      },
      rounds,
      scenarios,
    };
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
};
