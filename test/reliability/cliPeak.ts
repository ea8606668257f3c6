import { spawnSync } from 'node:child_process';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';

/** A CLI run with its peak memory: the child's VmHWM (as `process.resourceUsage().maxRSS` reads it), in MB. */
export interface CliPeak {
  readonly rssMB: number;
  readonly out: string;
  readonly err: string;
  readonly status: number | null;
}

/** The CLI in a child reporting its own peak RSS at exit. */
export const cliPeak = (args: ReadonlyArray<string>): CliPeak => {
  const script = `process.on('exit', () => process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS / 1024 + '\\n')); process.argv.splice(1, 1, ${JSON.stringify(ENGINE_CLI_PATH)}); await import(${JSON.stringify(ENGINE_CLI_PATH)});`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '_', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return {
    rssMB: Math.round(Number(/RSS ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN)),
    out: r.stdout,
    err: r.stderr,
    status: r.status,
  };
};
