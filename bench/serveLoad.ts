/**
 * `npm run bench -- serveLoad [--size 300MB] [--clients 200] [--seconds 15] [--rates 0,1500] [--no-codex] [--no-writer]`:
 * a server under traffic over WebSocket: `--clients` connections for `--seconds`, 60% `thread/list`,
 * 30% turn / item pages, 10% `thread/read` without turns, over a real-shaped home (bench/realHome.ts),
 * while one writer appends real-shaped turns to the long legacy thread (a copy of its last turn
 * under a fresh turn id, every 100 ms): on ours a client through `rollout/append`, on Codex (which
 * has no append method) another process appending to the file, as a running Codex does.
 * Each of `--rates` is one run, in that order (the closed loop first: a Codex left behind by an
 * open loop is still answering its backlog): a rate R > 0 is an open loop (R requests/s offered in all, each
 * client at its own Poisson arrivals, latency counted from when a request was due: the latency a
 * backend sees at that traffic); 0 is a closed loop (each client one request at a time, back to
 * back: the most the server answers, where by Little's law the latency is clients / throughput).
 * Reported: requests/s, p50 / p99 ms, errors by kind, and the index lag after the last append
 * (from the append to `thread/turns/list` showing its turn). The same runs against
 * `codex app-server --listen ws://` on the same home (warmed with `thread/resume` as bench/pages does).
 * Each run starts with WARMUP_MS of the same traffic, not counted.
 * `--no-writer`: no appends during the load (one after it, for the lag), to see what the writer costs.
 * `--seed N` (or SERVE_LOAD_SEED; default a fresh one, given in the JSON as `seed`): each client's
 * requests, threads and (open loop) arrival gaps are drawn from its own generator seeded from it
 * (test/fixtures/seededRandom.ts), so a run's traffic is the same for ours and Codex, and again
 * with the same seed. (The writer's turn ids and idempotency keys are fresh UUIDs: names only.)
 */
import { serveCommand } from './serveCommand.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { execFileSync } from 'node:child_process';
import { connectWebSocketRpc } from '../test/fixtures/webSocketRpcClient.js';
import type { WebSocketRpcClient } from '../test/fixtures/webSocketRpcClient.js';
import type { RpcAnswer } from '../test/fixtures/stdioRpcClient.js';
import { freePort, waitReady } from '../test/adapters/driving/rpc/webSocketAuthCases.js';
import { discoverRollouts } from '../test/compat/scenarios.js';
import { buildRealShapedHome } from './realHome.js';
import { parseByteSize } from './pages.js';
import { percentile } from './stats.js';
import { seededRandom } from '../test/fixtures/seededRandom.js';
import type { ResultOf } from '../protocol/methods.js';

const APPEND_EVERY_MS = 100;
const LAG_LIMIT_MS = 10_000;
const DRAIN_MS = 10_000;
const WARMUP_MS = 2_000;

interface Side {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

/** Appends one turn; says its id and when it was sent. */
type TurnWriter = () => Promise<{ turnId: string; at: number }>;

/** The thread's last turn's lines, and a copy of them under a fresh turn id: a turn as Codex appends it. */
const lastTurnOf = (path: string): ((fresh: string) => string[]) => {
  const lines = fs
    .readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  let start = lines.length - 1;
  while (start > 0 && !lines[start]!.includes('"type":"task_started"')) start--;
  const turnId = (JSON.parse(lines[start]!) as { payload: { turn_id: string } }).payload.turn_id;
  const body = lines.slice(start);
  return (fresh) => body.map((l) => l.split(turnId).join(fresh));
};

/** Another process appending to the rollout file, as a running Codex does (what Codex's side gets: it has no append method). */
const fileTurnWriter =
  (path: string): ((url: string) => Promise<TurnWriter>) =>
  async () => {
    const turn = lastTurnOf(path);
    return async () => {
      const fresh = randomUUID();
      fs.appendFileSync(path, `${turn(fresh).join('\n')}\n`);
      return { turnId: fresh, at: performance.now() };
    };
  };

/** A client of the server appending through `rollout/append` on a connection of its own (a Conflict's `actual` gives the first expected end). */
const rpcTurnWriter =
  (path: string, threadId: string): ((url: string) => Promise<TurnWriter>) =>
  async (url) => {
    const turn = lastTurnOf(path);
    const c = await connectWebSocketRpc(url);
    await c.request('initialize', { clientInfo: { name: 'bench-writer', version: '0' } });
    c.notify('initialized');
    let expected = 0;
    return async () => {
      const fresh = randomUUID();
      const at = performance.now();
      for (let attempt = 0; attempt < 3; attempt++) {
        const a = await c.request('rollout/append', {
          threadId,
          lines: turn(fresh),
          expectedOrdinal: expected,
          idempotencyKey: randomUUID(),
        });
        if ('result' in a) {
          expected = (a.result as ResultOf<'rollout/append'>).ordinal;
          return { turnId: fresh, at };
        }
        const actual = (a.error as { data?: { actual?: { ordinal?: number } } }).data?.actual?.ordinal;
        if (actual === undefined) throw new Error(`rollout/append: ${a.error.message}`);
        expected = actual;
      }
      throw new Error('rollout/append: no expected end found after 3 tries');
    };
  };

const pick = <A>(xs: ReadonlyArray<A>, random: () => number): A => xs[Math.floor(random() * xs.length)]!;

/** Client `i`'s own generator: its draws do not depend on when the other clients draw. */
const clientRandom = (seed: number, i: number): (() => number) =>
  seededRandom((seed + Math.imul(i + 1, 0x9e3779b9)) >>> 0);

/** One client's next request, by the mix. */
const nextRequest = (
  threads: ReadonlyArray<string>,
  random: () => number,
): { kind: string; method: string; params: Record<string, unknown> } => {
  const r = random();
  const threadId = pick(threads, random);
  if (r < 0.6) return { kind: 'list', method: 'thread/list', params: { limit: 25 } };
  if (r < 0.75)
    return {
      kind: 'turns',
      method: 'thread/turns/list',
      params: { threadId, limit: 10, itemsView: 'summary', sortDirection: 'desc' },
    };
  if (r < 0.9)
    return { kind: 'items', method: 'thread/items/list', params: { threadId, limit: 20, sortDirection: 'desc' } };
  return { kind: 'read', method: 'thread/read', params: { threadId, includeTurns: false } };
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
const loadOn = async (
  side: Side,
  clients: number,
  seconds: number,
  threads: ReadonlyArray<string>,
  writerFor: (url: string) => Promise<TurnWriter>,
  lagThread: string,
  appendWhileLoaded: boolean,
  rate: number,
  seed: number,
) => {
  const url = `ws://127.0.0.1:${side.port}`;
  const conns: WebSocketRpcClient[] = [];
  for (let i = 0; i < clients; i++) {
    const c = await connectWebSocketRpc(url);
    await c.request('initialize', {
      clientInfo: { name: 'bench', version: '0' },
      capabilities: { experimentalApi: true },
    });
    c.notify('initialized');
    conns.push(c);
  }
  const latencies: number[] = [];
  const byKind: Record<string, number[]> = {};
  const errors: Record<string, number> = {};
  let stop = false;
  let unanswered = 0;
  // The first WARMUP_MS of traffic are sent and answered but not counted: a server's first
  // seconds (code compiled, caches filled) are not the ones a backend lives with.
  const t0 = performance.now() + WARMUP_MS;
  /** The worst latency per second of the run (by when the answer came): where the tail comes from. */
  const worstPerSecond = new Map<number, number>();
  const record = (kind: string, a: RpcAnswer, ms: number, sentAt: number): void => {
    if (sentAt < t0) return;
    latencies.push(ms);
    const second = Math.floor((performance.now() - t0) / 1000);
    worstPerSecond.set(second, Math.max(worstPerSecond.get(second) ?? 0, ms));
    (byKind[kind] ??= []).push(ms);
    if ('error' in a) {
      const key = `${a.error.code} ${a.error.message.slice(0, 60)}`;
      errors[key] = (errors[key] ?? 0) + 1;
    }
  };
  const closedLoop = async (c: WebSocketRpcClient, random: () => number): Promise<void> => {
    while (!stop) {
      const req = nextRequest(threads, random);
      const s = performance.now();
      const a = await c.request(req.method, req.params);
      record(req.kind, a, performance.now() - s, s);
    }
  };
  // Open loop: each client sends at its own Poisson arrivals whether or not its last answer came,
  // and a latency counts from when the request was due (a late send is the server's delay too).
  const openLoop = async (c: WebSocketRpcClient, random: () => number): Promise<void> => {
    const meanGapMs = (1000 * clients) / rate;
    const gap = (): number => -Math.log(1 - random()) * meanGapMs;
    const inFlight = new Set<Promise<void>>();
    let due = performance.now() + random() * meanGapMs;
    while (!stop) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stop) break;
      const req = nextRequest(threads, random);
      const scheduled = due;
      const p: Promise<void> = c.request(req.method, req.params).then((a) => {
        inFlight.delete(p);
        record(req.kind, a, performance.now() - scheduled, scheduled);
      });
      inFlight.add(p);
      due += gap();
    }
    // Answers still owed once the load stops: waited for a while, then counted as unanswered.
    const drained = await Promise.race([
      Promise.all(inFlight).then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), DRAIN_MS)),
    ]);
    if (!drained) unanswered += inFlight.size;
  };
  const loops = conns.map((c, i) =>
    rate > 0 ? openLoop(c, clientRandom(seed, i)) : closedLoop(c, clientRandom(seed, i)),
  );
  const writer = await writerFor(url);
  let last = { turnId: '', at: 0 };
  let writing = appendWhileLoaded;
  let appends = 0;
  const writerLoop = (async () => {
    while (writing) {
      last = await writer();
      appends++;
      await new Promise((r) => setTimeout(r, APPEND_EVERY_MS));
    }
  })();
  await new Promise((r) => setTimeout(r, WARMUP_MS + seconds * 1000));
  writing = false;
  await writerLoop;
  last = await writer();
  appends++;
  // The lag: from the last append until a turns page shows its turn (asked on a quiet connection of its own, under the same load).
  const probe = conns[0]!;
  let lagMs: number | null = null;
  for (;;) {
    const a = await probe.request('thread/turns/list', {
      threadId: lagThread,
      limit: 1,
      sortDirection: 'desc',
      itemsView: 'notLoaded',
    });
    const top = 'result' in a ? (a.result as ResultOf<'thread/turns/list'>).data[0]?.id : undefined;
    if (top === last.turnId) {
      lagMs = Math.round(performance.now() - last.at);
      break;
    }
    if (performance.now() - last.at > LAG_LIMIT_MS) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  stop = true;
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(loops);
  for (const c of conns) c.close();
  const round = (x: number): number => Math.round(x * 10) / 10;
  return {
    clients,
    mode:
      rate > 0
        ? `open loop, ${rate} requests/s offered (Poisson arrivals per client; latency from when a request was due)`
        : 'closed loop (each client one request at a time: the most it takes)',
    seconds: round(elapsed),
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    worstMsPerSecond: [...worstPerSecond].sort((a, b) => a[0] - b[0]).map(([, ms]) => Math.round(ms)),
    byKind: Object.fromEntries(
      Object.entries(byKind).map(([k, xs]) => [
        k,
        { n: xs.length, p50Ms: round(percentile(xs, 50)), p99Ms: round(percentile(xs, 99)) },
      ]),
    ),
    errors,
    unanswered,
    appends,
    indexLagAfterLastAppendMs: lagMs ?? `not seen within ${LAG_LIMIT_MS} ms`,
  };
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const runServeLoadBench = async (
  size: string,
  clients: number,
  seconds: number,
  withCodex: boolean,
  engine: string,
  appendWhileLoaded = true,
  rates: ReadonlyArray<number> = [0, 1500],
  seed = 1,
): Promise<Record<string, unknown>> => {
  const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'bench-serve-load-'));
  const children: ChildProcess[] = [];
  try {
    const built = await buildRealShapedHome(nodePath.join(tmp, 'home'), parseByteSize(size));
    const home = built.codexHome;
    const lagThread = built.long.legacy;
    const rollout = discoverRollouts(home).find((r) => r.threadId === lagThread && !r.archived)!.path;
    const indexDir = nodePath.join(tmp, 'index');
    execFileSync(process.execPath, [engine, 'index', '--codex-home', home, '--index-dir', indexDir, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const threads = [
      ...new Set(
        discoverRollouts(home)
          .filter((r) => !r.archived)
          .map((r) => r.threadId),
      ),
    ];
    const out: Record<string, unknown> = {
      seed,
      home: { size, bytes: built.bytes, files: built.files, threads: built.threads },
      mix: '60% thread/list, 15% turns, 15% items, 10% read',
      appendEveryMs: APPEND_EVERY_MS,
    };

    const ourPort = await freePort();
    const command = serveCommand(
      engine,
      home,
      indexDir,
      '--listen',
      `ws://127.0.0.1:${ourPort}`,
      '--log-level',
      'warn',
    );
    const ours = spawn(command.file, command.args, { stdio: ['ignore', 'ignore', 'inherit'], env: command.env });
    children.push(ours);
    await waitReady(ourPort, ours);
    const modeName = (rate: number): string => (rate > 0 ? `openLoop${rate}` : 'closedLoop');
    const oursByMode: Record<string, unknown> = {};
    for (const rate of rates)
      oursByMode[modeName(rate)] = await loadOn(
        { name: 'ours', port: ourPort, child: ours },
        clients,
        seconds,
        threads,
        rpcTurnWriter(rollout, lagThread),
        lagThread,
        appendWhileLoaded,
        rate,
        seed,
      );
    out['ours'] = oursByMode;
    const metrics = await (await fetch(`http://127.0.0.1:${ourPort}/metrics`)).text();
    out['oursMetrics'] = Object.fromEntries(
      metrics
        .split('\n')
        .filter((l) =>
          /^rollout_engine_(ws_peers_dropped_total|rpc_overloads_total|ws_bytes_out_total|connections_total|event_loop_lag_seconds|index_read_repairs_total|index_catch_up_duration_seconds_(sum|count))/.test(
            l,
          ),
        )
        .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]),
    );
    // A clean shutdown (SIGTERM drains the connections), waited for: a profile is written on exit.
    const exited = new Promise((resolve) => ours.once('exit', resolve));
    ours.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);

    if (withCodex) {
      const { appServerEnv, resolveCodexCommand, writeCodexConfig } = await import('../test/compat/appServer.js');
      writeCodexConfig(home, 9);
      const codex = resolveCodexCommand();
      const port = await freePort();
      const child = spawn(codex.file, [...codex.args, 'app-server', '--listen', `ws://127.0.0.1:${port}`], {
        stdio: 'ignore',
        env: appServerEnv({ codexHome: home, userHome: nodePath.join(tmp, 'user-home') }),
        cwd: built.workDir,
      });
      children.push(child);
      await waitReady(port, child, 60_000);
      const warm = await connectWebSocketRpc(`ws://127.0.0.1:${port}`);
      await warm.request('initialize', {
        clientInfo: { name: 'bench', version: '0' },
        capabilities: { experimentalApi: true },
      });
      warm.notify('initialized');
      for (const threadId of [built.long.paginated, built.long.legacy])
        await warm.request('thread/resume', { threadId });
      await warm.request('thread/list', { limit: 25 });
      const codexByMode: Record<string, { requestsPerSecond: number; p99Ms: number }> = {};
      for (const rate of rates)
        codexByMode[modeName(rate)] = await loadOn(
          { name: 'codex', port, child },
          clients,
          seconds,
          threads,
          fileTurnWriter(rollout),
          lagThread,
          appendWhileLoaded,
          rate,
          seed,
        );
      out['codex'] = codexByMode;
      warm.close();
      child.kill('SIGTERM');
      // Ratios per mode: requests answered per second, and Codex's p99 over ours.
      out['oursOverCodex'] = Object.fromEntries(
        rates.map((rate) => {
          const o = oursByMode[modeName(rate)] as { requestsPerSecond: number; p99Ms: number };
          const c = codexByMode[modeName(rate)]!;
          const r2 = (x: number): number => Math.round(x * 100) / 100;
          return [
            modeName(rate),
            {
              requestsPerSecond: r2(o.requestsPerSecond / Math.max(1, c.requestsPerSecond)),
              p99: r2(c.p99Ms / Math.max(0.1, o.p99Ms)),
            },
          ];
        }),
      );
    }
    return out;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
