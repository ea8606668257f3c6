/**
 * One run of the serveLoad bench on one side (bench/serveLoad.ts): the clients' traffic, closed or
 * open loop, while the writer appends; then the index lag after the last append.
 */
import type { ChildProcess } from 'node:child_process';
import { connectWebSocketRpc } from '../test/fixtures/webSocketRpcClient.js';
import type { WebSocketRpcClient } from '../test/fixtures/webSocketRpcClient.js';
import type { RpcAnswer } from '../test/fixtures/stdioRpcClient.js';
import { percentile } from './stats.js';
import { seededRandom } from '../test/fixtures/seededRandom.js';
import type { ResultOf } from '../protocol/methods.js';
import type { TurnWriter } from './serveLoadWriters.js';

export const APPEND_EVERY_MS = 100;
const LAG_LIMIT_MS = 10_000;
const DRAIN_MS = 10_000;
const WARMUP_MS = 2_000;

export interface Side {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

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
export const loadOn = async (
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
  /** Each append's time from its send to its answer (on Codex's side, the file write's). */
  const appendMs: number[] = [];
  const writerLoop = (async () => {
    while (writing) {
      const s = performance.now();
      last = await writer();
      appendMs.push(performance.now() - s);
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
    appendMs:
      appendMs.length === 0
        ? null
        : {
            p50: round(percentile(appendMs, 50)),
            p99: round(percentile(appendMs, 99)),
            max: round(Math.max(...appendMs)),
          },
    indexLagAfterLastAppendMs: lagMs ?? `not seen within ${LAG_LIMIT_MS} ms`,
  };
};
