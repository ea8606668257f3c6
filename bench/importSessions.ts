/**
 * `npm run bench -- import [--size 500MB] [--reps 1]`: one generated Claude Code session of the
 * given size (rows of the shapes Claude Code writes: prompts, streamed replies one block a row,
 * tool calls, tool results from a few KB to 1 MB, thinking, a resumed copy of earlier rows)
 * imported by `rollout-engine import claude` into an empty home, then imported again (the ledger's
 * skip: one hashing pass). Wall and CPU seconds, source MB/s, the process's peak RSS (target: flat,
 * ≤ 200 MB whatever the session's size), and what the import wrote.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { CLI_PHASE, phaseRun } from './phaseRun.js';
import { median } from './stats.js';
import {
  assistantRows,
  text,
  thinking,
  toolResult,
  toolUse,
  userRow,
  writeClaudeSession,
} from '../test/fixtures/claudeSessions.js';

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

const sizeOf = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)(MB|GB)$/i.exec(text);
  if (m === null) throw new Error(`size like 500MB or 1GB, not ${text}`);
  return Number(m[1]) * (m[2]!.toUpperCase() === 'GB' ? 1024 : 1) * MB;
};

/** Append one exchange after another until the file holds `bytes`; written as it goes, never held whole. */
export const writeBigSession = async (claudeHome: string, cwd: string, bytes: number): Promise<string> => {
  const path = writeClaudeSession(claudeHome, cwd, 'bench-session', [
    userRow(cwd, 'Profile the import of a long session'),
  ]);
  const out = fs.createWriteStream(path, { flags: 'a' });
  const write = (rows: ReadonlyArray<Record<string, unknown>>): Promise<void> =>
    new Promise((resolve) => {
      if (out.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(''))) resolve();
      else out.once('drain', resolve);
    });
  let written = fs.statSync(path).size;
  const log = 'x'.repeat(3_000);
  for (let i = 0; written < bytes; i++) {
    const rows = [
      userRow(cwd, `Step ${i}: run the tests and fix what fails`),
      ...assistantRows(cwd, [
        thinking('t'.repeat(800)),
        text(`Running the suite for step ${i}.`),
        toolUse('Bash', { command: 'npm test', description: 'Run tests' }),
      ]),
      userRow(cwd, [toolResult(i % 50 === 0 ? 'y'.repeat(MB) : `${log}\n${i}`, i % 7 === 0)]),
      ...assistantRows(cwd, [toolUse('Read', { file_path: `${cwd}/src/file${i}.ts` })]),
      userRow(cwd, [toolResult('z'.repeat(20_000))]),
      ...assistantRows(cwd, [text(`Step ${i} done: ${'ok '.repeat(200)}`)]),
    ];
    // A resumed session repeats earlier rows (same uuid): imported once.
    if (i % 100 === 99) rows.push(rows[0]!);
    await write(rows);
    written += rows.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)) + 1, 0);
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return path;
};

interface Run {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly maxRssMB: number;
  readonly answer: unknown;
}

const cliRun = (args: ReadonlyArray<string>): Run => {
  const r = phaseRun([CLI_PHASE, ...args], { stdout: 'pipe' });
  return {
    seconds: r.seconds,
    cpuSeconds: r.cpuSeconds,
    maxRssMB: r.maxRssMB,
    answer: JSON.parse(r.stdout!.toString()),
  };
};

export const runImportBench = async (size: string, reps: number): Promise<Record<string, unknown>> => {
  const root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rollout-engine-import-bench-'));
  try {
    const claudeHome = nodePath.join(root, 'claude');
    const cwd = nodePath.join(root, 'project');
    fs.mkdirSync(cwd, { recursive: true });
    const source = await writeBigSession(claudeHome, cwd, sizeOf(size));
    const sourceMB = fs.statSync(source).size / MB;
    const first: Run[] = [];
    const again: Run[] = [];
    let written: Record<string, unknown> = {};
    for (let rep = 0; rep < reps; rep++) {
      const home = nodePath.join(root, `home-${rep}`);
      fs.mkdirSync(home);
      const args = ['import', 'claude', '--from', claudeHome, '--codex-home', home, '--json', '--quiet'];
      // An empty folder becomes a home only when asked (the CLI refuses it otherwise).
      const run = cliRun([...args, '--new-home']);
      first.push(run);
      const s = (run.answer as { sessions: Array<Record<string, unknown>> }).sessions[0]!;
      if (s['status'] !== 'imported') throw new Error(`not imported: ${JSON.stringify(s)}`);
      written = {
        turns: s['turns'],
        rolloutMB: round(fs.statSync(s['path'] as string).size / MB),
        report: { ...(s['report'] as object), badLineSamples: undefined },
      };
      again.push(cliRun([...args.slice(0, -2), '--session', source, '--json', '--quiet']));
      fs.rmSync(home, { recursive: true, force: true });
    }
    const summary = (runs: Run[]) => ({
      seconds: round(median(runs.map((r) => r.seconds)), 2),
      cpuSeconds: round(median(runs.map((r) => r.cpuSeconds)), 2),
      sourceMBps: round(sourceMB / median(runs.map((r) => r.seconds))),
      peakRssMB: round(Math.max(...runs.map((r) => r.maxRssMB))),
    });
    return {
      suite: 'import',
      sourceMB: round(sourceMB),
      reps,
      import: summary(first),
      written,
      reimport: { ...summary(again), answer: again[0]?.answer },
      targets: { peakRssMB: 200 },
    };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
};
