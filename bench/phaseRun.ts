import { spawnSync } from 'node:child_process';
import * as nodePath from 'node:path';
import { CLI_NODE_FLAGS, cliNodeEnv } from '../adapters/driving/cli/nodeFlags.js';

/** A process's wall seconds, and the CPU seconds and peak RSS it reported on fd 3 (bench/cliPhase.ts). */
export interface PhaseRun {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  /** What it printed, when asked for (`stdout: 'pipe'`). */
  readonly stdout: Buffer | null;
}

/** The script that runs the CLI in its process and reports its resource use on fd 3. */
export const CLI_PHASE = nodePath.resolve(process.cwd(), 'dist/bench/cliPhase.js');

/**
 * `node <CLI flags> <nodeArgs>` with the CLI's environment (and `env` over it), as a shell runs
 * the CLI; a non-zero exit throws. Its report on fd 3 is required unless `reportOptional` (then
 * NaN where it wrote none).
 */
export const phaseRun = (
  nodeArgs: ReadonlyArray<string>,
  opts: {
    readonly env?: NodeJS.ProcessEnv;
    readonly stdout?: 'ignore' | 'pipe';
    readonly reportOptional?: boolean;
  } = {},
): PhaseRun => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...CLI_NODE_FLAGS, ...nodeArgs], {
    stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
    env: { ...cliNodeEnv(), ...opts.env },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${nodeArgs.join(' ')} exited ${r.status}: ${r.stderr?.toString()}`);
  const report = r.output[3]?.toString().trim();
  const phase =
    opts.reportOptional === true && !report
      ? { cpuSeconds: NaN, maxRssMB: NaN }
      : (JSON.parse(report!) as { cpuSeconds: number; maxRssMB: number });
  return { seconds, cpuSeconds: phase.cpuSeconds, maxRssMB: phase.maxRssMB, stdout: r.stdout };
};
