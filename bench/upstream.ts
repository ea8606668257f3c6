/**
 * `npm run bench -- upstream [--size 1GB] [--reps 10] [--engine dist/cli/main.js]`: what
 * a real Codex client waits for on a real-shaped home (bench/realHome.ts), through
 * `rollout-engine serve --upstream codex` and through plain `codex app-server`, in the same run,
 * each over WebSocket as `codex --remote` speaks: the resume picker's first `thread/list` page (the
 * first one asked of a fresh server, then warm), its type-to-search (`searchTerm`), and a turn's
 * round trip (`turn/start` to `turn/completed`, the mock Responses API answering) on a new thread.
 * Medians of `--reps`; milliseconds.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from '../test/compat/appServer.js';
import { MockResponses } from '../test/compat/mockResponses.js';
import { connectWebSocketRpc } from '../test/fixtures/webSocketRpcClient.js';
import type { WebSocketRpcClient } from '../test/fixtures/webSocketRpcClient.js';
import { parseByteSize } from './pages.js';
import { buildRealShapedHome } from './realHome.js';
import { percentile } from './stats.js';
import { spawnListening } from '../test/fixtures/listeningServer.js';

/** The picker's first page as the TUI asks it (interactive sources, newest update first). */
const PICKER = { limit: 25, sortKey: 'updated_at', sourceKinds: ['cli', 'vscode'], archived: false } as const;
const SEARCH = { ...PICKER, searchTerm: 'fact number' } as const;

const ms = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;
const median = (xs: number[]): number => percentile(xs, 50);

/** A client of the server at `url` once it accepts connections, initialized as the TUI does. */
/** A client of the server at `url` (listening and ready), initialized as Codex's TUI. */
const connected = async (url: string): Promise<WebSocketRpcClient> => {
  const c = await connectWebSocketRpc(url, {}, 'codex');
  const init = await c.request('initialize', {
    clientInfo: { name: 'codex-tui', title: 'bench', version: '0.169.0' },
    capabilities: { experimentalApi: true },
  });
  if ('error' in init) throw new Error(`initialize: ${init.error.message}`);
  c.notify('initialized');
  return c;
};

const ask = async (c: WebSocketRpcClient, method: string, params: unknown): Promise<any> => {
  const a = await c.request(method, params);
  if ('error' in a) throw new Error(`${method}: ${a.error.code} ${a.error.message}`);
  return a.result;
};

const timed = async (c: WebSocketRpcClient, method: string, params: unknown): Promise<number> => {
  const t0 = performance.now();
  await ask(c, method, params);
  return ms(t0);
};

/** `turn/start` to its `turn/completed`, on a thread of its own. */
const turnRoundTrip = async (c: WebSocketRpcClient, cwd: string, i: number): Promise<number> => {
  const thread = await ask(c, 'thread/start', { cwd });
  const t0 = performance.now();
  const started = await ask(c, 'turn/start', {
    threadId: thread.thread.id,
    input: [{ type: 'text', text: `Bench turn ${i}.`, text_elements: [] }],
  });
  const turnId = started.turn.id as string;
  while (
    !c.notifications.some(
      (n) => n.method === 'turn/completed' && (n.params as { turn: { id: string } }).turn.id === turnId,
    )
  )
    await new Promise((r) => setImmediate(r));
  return ms(t0);
};

interface Side {
  readonly firstPickerMs: number;
  readonly pickerMs: number;
  readonly searchMs: number;
  readonly threadsOnFirstPage: number;
}

/** The first picker page of a server just started, then the warm picker and the search, each `reps` times. */
const measure = async (c: WebSocketRpcClient, reps: number): Promise<Side> => {
  const t0 = performance.now();
  const first = await ask(c, 'thread/list', PICKER);
  const firstPickerMs = ms(t0);
  const picker: number[] = [];
  const search: number[] = [];
  for (let i = 0; i < reps; i++) picker.push(await timed(c, 'thread/list', PICKER));
  for (let i = 0; i < reps; i++) search.push(await timed(c, 'thread/list', SEARCH));
  return {
    firstPickerMs,
    pickerMs: median(picker),
    searchMs: median(search),
    threadsOnFirstPage: (first.data as unknown[]).length,
  };
};

/**
 * Turn round trips, direct and through the engine taking turns, both servers up: a turn is
 * ~100 ms of Codex's own work whose median drifted by ±25 ms between runs minutes apart, more
 * than the difference measured; alternating puts both sides under the same drift.
 */
const turnsTakingTurns = async (direct: WebSocketRpcClient, through: WebSocketRpcClient, reps: number, cwd: string) => {
  const d: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    d.push(await turnRoundTrip(direct, cwd, i));
    t.push(await turnRoundTrip(through, cwd, reps + i));
  }
  const added = d.map((x, i) => t[i]! - x);
  return {
    directMs: median(d),
    throughMs: median(t),
    addedMs: median(added),
    addedP25Ms: percentile(added, 25),
    addedP75Ms: percentile(added, 75),
  };
};

const stopped = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const runUpstreamBench = async (
  size: string,
  reps: number,
  engine: string,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-upstream-'));
  const mock = await MockResponses.start();
  try {
    const home = nodePath.join(tmp, 'home');
    const built = await buildRealShapedHome(home, parseByteSize(size));
    writeCodexConfig(home, mock.port);
    const env = { ...process.env, ...appServerEnv({ codexHome: home, userHome: nodePath.join(tmp, 'user-home') }) };
    const codexBin = resolveCodexCommand().file;
    const indexDir = nodePath.join(tmp, 'index');
    // The engine's index is built first, as `serve` keeps it; Codex's state DB is built by its first list.
    const t0 = performance.now();
    execFileSync(process.execPath, [engine, 'index', '--codex-home', home, '--index-dir', indexDir, '-q'], {
      env,
      stdio: 'ignore',
    });
    const indexSeconds = Math.round(ms(t0)) / 1000;

    // Plain Codex measured first; it stays up (idle) while the engine's server starts and is
    // measured, then turns alternate between the two.
    const started = await spawnListening(codexBin, ['app-server'], { env, cwd: built.workDir, ms: 600_000 });
    const codex = started.child;
    let serve: ChildProcess | undefined;
    let plain: Side;
    let through: Side;
    let turns: Awaited<ReturnType<typeof turnsTakingTurns>>;
    try {
      const direct = await connected(started.url);
      plain = await measure(direct, reps);
      const engineServer = await spawnListening(
        process.execPath,
        [
          engine,
          'serve',
          '--codex-home',
          home,
          '--index-dir',
          indexDir,
          '--upstream',
          'codex',
          '--upstream-bin',
          codexBin,
          '--log-level',
          'warn',
        ],
        { env, cwd: built.workDir, ms: 600_000 },
      );
      serve = engineServer.child;
      const viaEngine = await connected(engineServer.url);
      through = await measure(viaEngine, reps);
      turns = await turnsTakingTurns(direct, viaEngine, reps, built.workDir);
      direct.close();
      viaEngine.close();
    } finally {
      if (serve !== undefined) await stopped(serve);
      await stopped(codex);
    }
    const ratio = (a: number, b: number): number => Math.round((a / b) * 10) / 10;
    return {
      engine,
      home: { size, bytes: built.bytes, files: built.files, threads: built.threads, lines: built.lines },
      reps,
      indexSeconds,
      requests: {
        picker: PICKER,
        search: SEARCH,
        turn: 'thread/start, then turn/start to turn/completed (mock Responses API), direct and through the engine taking turns',
      },
      plainCodex: plain,
      throughEngine: through,
      speedup: {
        firstPicker: ratio(plain.firstPickerMs, through.firstPickerMs),
        picker: ratio(plain.pickerMs, through.pickerMs),
        search: ratio(plain.searchMs, through.searchMs),
      },
      turnRoundTrip: turns,
      turnRoundTripAddedMs: Math.round(turns.addedMs * 100) / 100,
    };
  } finally {
    await mock.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
