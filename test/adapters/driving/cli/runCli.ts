// Runs the compiled CLI as a user would (synchronously: these tests check one command each), and
// splits a command line the CLI printed back into words, to run it as printed.
import { spawnSync } from 'node:child_process';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const runCli = (...args: string[]): CliRun => {
  const r = spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** POSIX shell words of a line with plain and single-quoted words (what the CLI's hints print). */
export const shellWords = (line: string): string[] => {
  const words: string[] = [];
  const re = /\s*((?:'[^']*'|\\'|[^\s'\\])+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line))
    words.push(m[1]!.replace(/'([^']*)'|\\'/g, (_all, inner: string | undefined) => inner ?? "'"));
  return words;
};
