/**
 * `npm run bench -- serve [--size 300MB] [--reps N] [--no-codex] [--engine dist/cli/main.js]`:
 * a server on a home it has never indexed, on a real-shaped home (bench/realHome.ts). Per run, on
 * a fresh index: time from spawning `rollout-engine serve` to its `initialize` answer, and to the
 * answer of the first `thread/turns/list` of the home's long working thread (while the first build
 * runs behind it); the wall time of the CLI's `turns <id>` on a fresh index (which indexes that
 * thread only); the first `thread/list` (limit 100) right after, while the build still runs. Then, once the index is built, the warm `thread/list` (limit 100) p50, beside real
 * Codex's (`codex app-server` on the same home). `--engine` measures another build's CLI (a
 * baseline). Medians of `--reps` runs; milliseconds.
 */
import { answered, initialize, spawnServe } from './serveCommand.js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildRealShapedHome } from './realHome.js';
import { parseByteSize } from './pages.js';
import { percentile } from './stats.js';

const LIST = { limit: 100 } as const;
const WARM_LISTS = 50;

const ms = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;
const median = (xs: number[]): number => percentile(xs, 50);

/** One fresh start: spawn → initialize, spawn → first thread/turns/list of `threadId`, then a thread/list (limit 100) while the build runs: its own time. */
const freshStart = async (
  engine: string,
  home: string,
  indexDir: string,
  threadId: string,
): Promise<{ initializeMs: number; firstTurnsMs: number; firstListMs: number }> => {
  fs.rmSync(indexDir, { recursive: true, force: true });
  const t0 = performance.now();
  const s = spawnServe(engine, home, indexDir);
  try {
    await initialize(s);
    const initializeMs = ms(t0);
    answered(await s.request('thread/turns/list', { threadId, limit: 20 }), 'thread/turns/list');
    const firstTurnsMs = ms(t0);
    const t1 = performance.now();
    answered(await s.request('thread/list', LIST), 'thread/list');
    return { initializeMs, firstTurnsMs, firstListMs: ms(t1) };
  } finally {
    // The build behind it is stopped between two files when the input ends (a baseline's runs to its end).
    s.child.kill('SIGKILL');
    await s.close();
  }
};

/** `rollout-engine turns <id>` on a fresh index: wall time, and whether it said it indexed that thread only. */
const cliTurns = (
  engine: string,
  home: string,
  indexDir: string,
  threadId: string,
): { wallMs: number; indexedThreadOnly: boolean } => {
  fs.rmSync(indexDir, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [engine, 'turns', threadId, '--codex-home', home, '--index-dir', indexDir, '--json', '--limit', '20'],
    { encoding: 'utf8' },
  );
  const wallMs = ms(t0);
  if (r.status !== 0) throw new Error(`turns exited ${r.status}: ${r.stderr}`);
  return { wallMs, indexedThreadOnly: r.stderr.includes(`indexed thread ${threadId} only`) };
};

/** Warm `thread/list` p50 / p99 of a started server (after warm-ups). */
const warmLists = async (
  ask: (m: string, p: unknown) => Promise<unknown>,
): Promise<{ p50: number; p99: number; runs: number }> => {
  for (let i = 0; i < 3; i++) await ask('thread/list', LIST);
  const times: number[] = [];
  for (let i = 0; i < WARM_LISTS; i++) {
    const t0 = performance.now();
    await ask('thread/list', LIST);
    times.push(ms(t0));
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99), runs: WARM_LISTS };
};

/** Codex's warm thread/list on the same home (its own state DB built by its first lists). */
const codexWarmList = async (home: string, workDir: string): Promise<Record<string, unknown>> => {
  const { MockResponses } = await import('../test/compat/mockResponses.js');
  const { AppServer, writeCodexConfig } = await import('../test/compat/appServer.js');
  const mock = await MockResponses.start();
  writeCodexConfig(home, mock.port);
  const server = await AppServer.start({
    codexHome: home,
    userHome: nodePath.join(home, '..', 'user-home'),
    cwd: workDir,
  });
  try {
    const t0 = performance.now();
    await server.request('thread/list', LIST);
    return { firstListMs: ms(t0), warmList: await warmLists((m, p) => server.request(m, p)) };
  } finally {
    await server.stop();
    await mock.stop();
  }
};

export const runServeBench = async (
  size: string,
  reps: number,
  withCodex: boolean,
  engine: string,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-serve-'));
  try {
    const home = nodePath.join(tmp, 'home');
    const built = await buildRealShapedHome(home, parseByteSize(size));
    const threadId = built.long.paginated;
    const indexDir = nodePath.join(tmp, 'index');
    const starts = [];
    for (let i = 0; i < reps; i++) starts.push(await freshStart(engine, home, indexDir, threadId));
    const cli = [];
    for (let i = 0; i < reps; i++) cli.push(cliTurns(engine, home, indexDir, threadId));
    const floor = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [engine, '--version']);
      floor.push(ms(t0));
    }
    fs.rmSync(indexDir, { recursive: true, force: true });
    const t0 = performance.now();
    execFileSync(process.execPath, [engine, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const indexMs = ms(t0);
    const s = spawnServe(engine, home, indexDir);
    let ours;
    try {
      await initialize(s);
      ours = await warmLists(async (m, p) => s.request(m, p));
    } finally {
      await s.close();
    }
    return {
      engine,
      home: {
        size,
        bytes: built.bytes,
        files: built.files,
        threads: built.threads,
        lines: built.lines,
        meanLineBytes: built.meanLineBytes,
      },
      reps,
      thread: { id: threadId, what: 'the long working thread (paginated), first thread/turns/list limit 20' },
      freshServe: {
        initializeMs: median(starts.map((r) => r.initializeMs)),
        firstTurnsMs: median(starts.map((r) => r.firstTurnsMs)),
        firstListMs: median(starts.map((r) => r.firstListMs)),
        runs: starts,
      },
      cliTurnsFresh: {
        wallMs: median(cli.map((r) => r.wallMs)),
        indexedThreadOnly: cli.every((r) => r.indexedThreadOnly),
        runs: cli.map((r) => r.wallMs),
      },
      cliStartFloorMs: median(floor),
      indexSeconds: Math.round(indexMs) / 1000,
      warmThreadList: { ours, ...(withCodex ? { codex: await codexWarmList(home, built.workDir) } : {}) },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
