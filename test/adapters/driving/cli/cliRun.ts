import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHome } from '../../../../bench/indexData.js';
import { CLI } from '../../../fixtures/cliBundle.js';

/** The CLI users run (the bundle). */
export { CLI };

/** The test helper that takes an index's backfill lease and holds it (`hold`) or exits with it (`crash`). */
export const LEASE_WORKER = fileURLToPath(new URL('../../../indexer/leaseWorker.js', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stderr matches `re` (rejects if the process ends first). */
  readonly stderrMatches: (re: RegExp) => Promise<void>;
  readonly exited: Promise<number | null>;
}

/** Run the CLI with pipes (not a terminal), `input` on its stdin. */
export const runCli = (args: ReadonlyArray<string>, input = ''): CliRun => {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  child.stdin.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stderrMatches = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!re.test(err)) return false;
        resolve();
        return true;
      };
      if (check()) return;
      child.stderr.on('data', check);
      void exited.then(() => check() || reject(new Error(`exited before stderr matched ${re}; stderr: ${err}`)));
    });
  return { child, stdout: () => out, stderr: () => err, stderrMatches, exited };
};

/** A generated CODEX_HOME of about `mb` MB (bench/indexData.ts) and the id of its first thread. */
export const generatedHome = async (
  home: string,
  mb: number,
): Promise<{ home: string; threadId: string; files: number; bytes: number }> => {
  const g = await generateHome(home, mb * 1024 * 1024);
  const day = nodePath.join(home, 'sessions', '2026', '01', '01');
  const first = (await fs.readdir(day)).sort()[0]!;
  const threadId = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/.exec(first)![1]!;
  return { home, threadId, files: g.files, bytes: g.bytes };
};
