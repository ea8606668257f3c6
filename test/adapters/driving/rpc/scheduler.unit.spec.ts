// The server's scheduling (Codex's request_serialization) with gated fake methods over in-memory
// connections: who runs when, who is refused, what is skipped, and what a slow client costs others.
import { expect } from 'chai';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { InputLine } from '../../../../adapters/driving/rpc/boundedLines.js';
import type { RpcConnection } from '../../../../adapters/driving/rpc/connection.js';
import { adHocMethod } from '../../../fixtures/adHocMethod.js';
import type { RpcScope } from '../../../../protocol/methodEntry.js';
import { initialize } from '../../../../adapters/driving/rpc/methods/initialize.js';
import { serverDiagnostics } from '../../../../adapters/driving/rpc/methods/serverDiagnostics.js';
import { createRpcServer } from '../../../../adapters/driving/rpc/server.js';
import { NEWEST_CODEX_VERSION } from '../../../../protocol/codexVersions.js';
import { createScheduler } from '../../../../adapters/driving/rpc/scheduler.js';
import { jsonPieces } from '../../../../adapters/driving/rpc/streamedJson.js';
import type { RpcServerOptions } from '../../../../adapters/driving/rpc/server.js';
import type { ThreadManagementPorts } from '../../../../replay/ports.js';
import { NO_HOME_BUNDLES } from '../../../fixtures/noHomeBundles.js';

type Message = {
  id?: unknown;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
};

/** A client in memory: what it sends is read by the server in order; what the server sends is kept, optionally held by a gate (a slow consumer). */
const memoryClient = (opts: { withClosedSignal?: boolean } = {}) => {
  const incoming: string[] = [];
  let ended = false;
  let wake: () => void = () => undefined;
  const closed = new AbortController();
  const received: Message[] = [];
  let sendGate: Promise<void> = Promise.resolve();
  async function* messages(): AsyncGenerator<InputLine> {
    for (;;) {
      const text = incoming.shift();
      if (text !== undefined) yield { kind: 'line', bytes: Buffer.from(text, 'utf8') };
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  const connection: RpcConnection = {
    messages: messages(),
    maxMessageBytes: 1 << 20,
    send: async (m) => {
      await sendGate;
      // Written as a transport writes it: streams are pulled piece by piece.
      let text = '';
      for await (const piece of jsonPieces(m)) text += piece;
      received.push(JSON.parse(text) as Message);
    },
    ...(opts.withClosedSignal === true ? { closed: closed.signal } : {}),
  };
  let nextId = 1;
  return {
    connection,
    received,
    /** Send a request; its id. */
    request: (method: string, params: unknown = {}): number => {
      const id = nextId++;
      incoming.push(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      wake();
      return id;
    },
    end: () => {
      ended = true;
      wake();
    },
    abort: () => closed.abort(),
    holdSends: (gate: Promise<void>): void => {
      sendGate = gate;
    },
    answer: (id: number) => received.find((m) => m.id === id && m.method === undefined),
  };
};

/** A fake method whose runs wait for the test to release them; it records starts and how many run at once. */
const gatedMethods = () => {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let running = 0;
  let mostRunning = 0;
  const method = (name: string, scope: (p: { tag: string; key?: string }) => RpcScope) =>
    adHocMethod({
      name,
      params: t.intersection([t.type({ tag: t.string }), t.partial({ key: t.string })]),
      scope,
      handle: (ctx, p) => async () => {
        started.push(p.tag);
        running++;
        mostRunning = Math.max(mostRunning, running);
        // Names of the test's own, outside the protocol's notifications: the scheduler sends any.
        const notify = ctx.notify as (method: string, params: unknown, when?: 'beforeAnswer' | 'afterAnswer') => void;
        notify('test/before', { tag: p.tag });
        notify('test/after', { tag: p.tag }, 'afterAnswer');
        await new Promise<void>((resolve) => gates.set(p.tag, resolve));
        running--;
        return E.right({ tag: p.tag });
      },
    });
  const methods = [
    initialize,
    serverDiagnostics,
    method('test/free', () => null),
    method('test/read', (p) => ({ key: p.key ?? 'k', access: 'read' })),
    method('test/write', (p) => ({ key: p.key ?? 'k', access: 'write' })),
    adHocMethod({ name: 'test/quick', params: t.unknown, scope: () => null, handle: () => TE.right('quick') }),
  ];
  return {
    methods,
    started,
    mostRunning: () => mostRunning,
    release: (tag: string) => {
      const g = gates.get(tag);
      if (g === undefined) throw new Error(`${tag} is not running`);
      gates.delete(tag);
      g();
    },
  };
};

const until = async (cond: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 20_000; // a hang bound, not a speed verdict
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
};
/**
 * The barrier of an exchange in memory: a request without a scope (`test/quick`), answered. The
 * server reads a connection's messages in order and submits each before it reads the next, and the
 * scheduler starts what is allowed to run writes first, then reads in the order they were allowed:
 * once the barrier is answered, every request sent before it was submitted, and every one allowed
 * to run by then (by what was observed before the barrier was sent) has started. No quiet period.
 */
const barrier = async (c: ReturnType<typeof memoryClient>): Promise<void> => {
  const id = c.request('test/quick');
  await until(() => c.answer(id) !== undefined, 'the barrier');
};
/** Answers of the gated methods, in the order received (barriers and `initialize` left out). */
const gatedAnswers = (c: ReturnType<typeof memoryClient>): string[] =>
  c.received.flatMap((x) =>
    typeof x.result === 'object' && x.result !== null && 'tag' in x.result ? [(x.result as { tag: string }).tag] : [],
  );

const serverWith = (m: ReturnType<typeof gatedMethods>, options?: RpcServerOptions) =>
  createRpcServer(
    { ctx: { codexHome: '/home', ports: {} as ThreadManagementPorts, ...NO_HOME_BUNDLES }, methods: m.methods },
    options,
  );

const initialized = (c: ReturnType<typeof memoryClient>, experimental = false): void => {
  c.request('initialize', {
    clientInfo: { name: 't', version: '0' },
    ...(experimental ? { capabilities: { experimentalApi: true } } : {}),
  });
};

/** A server with the gated methods and one initialized client. */
const session = (options?: RpcServerOptions, client?: { withClosedSignal?: boolean }) => {
  const m = gatedMethods();
  const server = serverWith(m, options);
  const c = memoryClient(client);
  const served = server.serve(c.connection);
  initialized(c);
  return { m, server, c, served };
};

describe('the RPC server schedules requests as Codex request_serialization does', () => {
  it('runs the requests of one key FIFO, one write at a time', async () => {
    const { m, server, c, served } = session();
    for (const tag of ['w1', 'w2', 'w3']) c.request('test/write', { tag });
    await until(() => m.started.length === 1, 'w1');
    await barrier(c);
    expect(m.started).to.deep.equal(['w1']);
    expect(server.load.queued()).to.equal(2);
    m.release('w1');
    // w3 could only start with w2, at the end of w1: observed w2's start, a barrier finds w3 not started.
    await until(() => m.started.length === 2, 'w2');
    await barrier(c);
    expect(m.started).to.deep.equal(['w1', 'w2']);
    m.release('w2');
    await until(() => m.started.length === 3, 'w3');
    m.release('w3');
    c.end();
    await served;
    expect(m.mostRunning()).to.equal(1);
    expect(gatedAnswers(c)).to.deep.equal(['w1', 'w2', 'w3']);
  });

  it('runs requests without a scope concurrently (observed concurrency > 1), and answers them in the order they finish', async () => {
    const { m, server, c, served } = session();
    const ids = ['a', 'b', 'c'].map((tag) => c.request('test/free', { tag }));
    await until(() => m.started.length === 3, 'three free requests running');
    expect(m.mostRunning()).to.equal(3);
    expect(server.load.inFlight()).to.equal(3);
    m.release('c');
    await until(() => c.answer(ids[2]!) !== undefined, 'c answered');
    expect(c.answer(ids[0]!)).to.equal(undefined);
    m.release('a');
    m.release('b');
    c.end();
    await served;
  });

  it('runs the reads of one key together', async () => {
    const { m, c, served } = session();
    c.request('test/read', { tag: 'r1' });
    c.request('test/read', { tag: 'r2' });
    await until(() => m.started.length === 2, 'both reads running');
    expect(m.mostRunning()).to.equal(2);
    m.release('r1');
    m.release('r2');
    c.end();
    await served;
  });

  it('a queued write holds back the later reads of its key while the earlier reads finish; other keys go on', async () => {
    const { m, c, served } = session();
    const r1 = c.request('test/read', { tag: 'r1' });
    c.request('test/write', { tag: 'w' });
    c.request('test/read', { tag: 'r2' });
    c.request('test/read', { tag: 'other', key: 'k2' });
    await until(() => m.started.includes('other'), 'the read of another key');
    await barrier(c);
    expect(m.started).to.deep.equal(['r1', 'other']);
    m.release('r1');
    // r2 could only start beside w, when r1 ended: observed w's start, a barrier finds r2 not started.
    await until(() => m.started.includes('w'), 'the write');
    expect(c.answer(r1)).to.deep.include({ result: { tag: 'r1' } });
    await barrier(c);
    expect(m.started).to.deep.equal(['r1', 'other', 'w']);
    m.release('w');
    await until(() => m.started.includes('r2'), 'the later read');
    m.release('r2');
    m.release('other');
    c.end();
    await served;
  });

  it("sends each request's notifications next to its answer, before and after it, whatever runs beside it", async () => {
    const { m, c, served } = session();
    c.request('test/free', { tag: 'a' });
    c.request('test/free', { tag: 'b' });
    await until(() => m.started.length === 2, 'both running');
    m.release('b');
    m.release('a');
    c.end();
    await served;
    const shown = c.received
      .slice(1)
      .map((x) =>
        x.method !== undefined
          ? `${x.method} ${(x.params as { tag: string }).tag}`
          : `answer ${(x.result as { tag: string }).tag}`,
      );
    expect(shown).to.deep.equal([
      'test/before b',
      'answer b',
      'test/after b',
      'test/before a',
      'answer a',
      'test/after a',
    ]);
  });

  it('a client gone skips its queued requests (their handlers never run) and the server goes on', async () => {
    for (const how of ['messages end', 'closed signal'] as const) {
      const m = gatedMethods();
      const server = serverWith(m);
      const c = memoryClient({ withClosedSignal: how === 'closed signal' });
      const served = server.serve(c.connection);
      initialized(c);
      c.request('test/write', { tag: 'w1' });
      c.request('test/write', { tag: 'w2' });
      c.request('test/read', { tag: 'r' });
      await until(() => m.started.length === 1, 'w1');
      // w2 and r wait behind w1 when the client goes.
      await barrier(c);
      expect(server.load.queued(), how).to.equal(2);
      if (how === 'messages end') c.end();
      else c.abort();
      // The closed signal drops them at once; the end of the messages when the server reads it.
      await until(() => server.load.queued() === 0, `${how}: the queue dropped`);
      m.release('w1');
      if (how === 'closed signal') c.end();
      // Served once every request of the client is answered or skipped: what ran is all there is.
      await served;
      expect(m.started, how).to.deep.equal(['w1']);
      // The key is free again for another client.
      const other = memoryClient();
      const otherServed = server.serve(other.connection);
      initialized(other);
      other.request('test/write', { tag: 'next' });
      await until(() => m.started.includes('next'), 'the next client');
      m.release('next');
      other.end();
      await otherServed;
    }
  });

  it('refuses a request over the connection bound or the key bound with -32001 and codex_error_info, and counts it', async () => {
    const m = gatedMethods();
    const overloads: string[] = [];
    const server = serverWith(m, {
      maxRequestsPerConnection: 3,
      maxQueuedPerKey: 1,
      onOverload: (method) => overloads.push(method),
    });
    const c = memoryClient();
    const served = server.serve(c.connection);
    initialized(c);
    c.request('test/write', { tag: 'w1' });
    c.request('test/write', { tag: 'w2' });
    const overKey = c.request('test/write', { tag: 'w3' });
    await until(() => c.answer(overKey) !== undefined, 'the refusal over the key bound');
    // w1 runs, w2 waits: with f, three requests of this client are unanswered.
    c.request('test/free', { tag: 'f' });
    const overConnection = c.request('test/free', { tag: 'g' });
    await until(() => c.answer(overConnection) !== undefined, 'the refusal over the connection bound');
    const overloaded = {
      code: -32001,
      message: 'Server overloaded; retry later.',
      data: { codex_error_info: 'server_overloaded' },
    };
    expect(c.answer(overKey)).to.deep.equal({ jsonrpc: '2.0', id: overKey, error: overloaded });
    expect(c.answer(overConnection)).to.deep.equal({ jsonrpc: '2.0', id: overConnection, error: overloaded });
    expect(overloads).to.deep.equal(['test/write', 'test/free']);
    expect(m.started).to.not.include('w3').and.to.not.include('g');
    m.release('w1');
    await until(() => m.started.includes('w2'), 'w2');
    m.release('w2');
    m.release('f');
    c.end();
    await served;
  });

  it("one client's slow request, or a client that does not read, never delays another client's answer", async () => {
    const m = gatedMethods();
    const server = serverWith(m);
    const slow = memoryClient();
    const fast = memoryClient();
    const slowServed = server.serve(slow.connection);
    const fastServed = server.serve(fast.connection);
    initialized(slow);
    initialized(fast);
    await until(() => slow.received.length === 1 && fast.received.length === 1, 'both initialized');
    // The slow client's request never finishes until the end, and it takes no answer meanwhile.
    slow.request('test/write', { tag: 'slow', key: 'busy' });
    let unblock: () => void = () => undefined;
    slow.holdSends(new Promise<void>((resolve) => (unblock = resolve)));
    slow.request('test/quick');
    await until(() => m.started.includes('slow'), 'the slow request');
    const quick = fast.request('test/quick');
    const other = fast.request('test/write', { tag: 'other', key: 'elsewhere' });
    await until(() => fast.answer(quick) !== undefined, "the fast client's answer");
    await until(() => m.started.includes('other'), 'the other key');
    m.release('other');
    await until(() => fast.answer(other) !== undefined, "the fast client's write");
    expect(slow.received).to.have.length(1);
    unblock();
    m.release('slow');
    slow.end();
    fast.end();
    await Promise.all([slowServed, fastServed]);
    expect(slow.received.map((x) => x.method ?? `answer ${String(x.id)}`)).to.deep.equal([
      'answer 1',
      'answer 3',
      'test/before',
      'answer 2',
      'test/after',
    ]);
  });

  it('shutdown stops reading, lets running and queued requests finish and be answered, then resolves', async () => {
    const { m, server, c, served } = session(undefined, { withClosedSignal: true });
    const w1 = c.request('test/write', { tag: 'w1' });
    const w2 = c.request('test/write', { tag: 'w2' });
    await until(() => m.started.length === 1, 'w1');
    await barrier(c);
    expect(server.load.queued()).to.equal(1); // w2, queued before the shutdown
    // What had been answered when shutdown resolved: an order, not a look after a pause.
    const shutdown = server.shutdown().then(() => ({ w1: c.answer(w1), w2: c.answer(w2), started: [...m.started] }));
    c.request('test/free', { tag: 'late' });
    m.release('w1');
    await until(() => m.started.includes('w2'), 'w2 (queued before the shutdown)');
    m.release('w2');
    const atShutdown = await shutdown;
    await served;
    expect(atShutdown.w1).to.deep.include({ result: { tag: 'w1' } });
    expect(atShutdown.w2).to.deep.include({ result: { tag: 'w2' } });
    // The late request, sent after the shutdown began, is never read: had it run, its gate (never
    // opened) would have held the shutdown.
    expect(atShutdown.started).to.deep.equal(['w1', 'w2']);
    expect(m.started).to.deep.equal(['w1', 'w2']);
  });

  it("stops a gone client's streamed answer at its next piece (the stream is closed, nothing more is read)", async () => {
    let pulled = 0;
    let closedAt = -1;
    // The stream gives a piece for each permit; `asked` is the piece the server waits for (-1: none).
    let permits = 0;
    let asked = -1;
    let wake: () => void = () => undefined;
    const give = (): void => {
      permits++;
      wake();
    };
    async function* turns(): AsyncGenerator<number> {
      try {
        for (let i = 0; i < 1000; i++) {
          asked = i;
          while (permits === 0) await new Promise<void>((resolve) => (wake = resolve));
          permits--;
          asked = -1;
          pulled++;
          yield i;
        }
      } finally {
        closedAt = pulled;
      }
    }
    const streaming = adHocMethod({
      name: 'test/stream',
      params: t.unknown,
      scope: () => null,
      handle: () => TE.right({ turns: turns() }),
    });
    const server = createRpcServer({
      ctx: { codexHome: '/home', ports: {} as ThreadManagementPorts, ...NO_HOME_BUNDLES },
      methods: [initialize, streaming],
    });
    const c = memoryClient({ withClosedSignal: true });
    const served = server.serve(c.connection);
    initialized(c);
    c.request('test/stream');
    for (let i = 0; i < 3; i++) {
      await until(() => asked === i, `the server asking piece ${i}`);
      give();
    }
    // Three pieces written, the fourth asked for: the client goes, then the fourth comes, and the
    // stream is closed at it (the server reads nothing more).
    await until(() => asked === 3, 'the server asking piece 3');
    c.abort();
    give();
    await until(() => closedAt >= 0, 'the stream closed');
    expect(closedAt).to.equal(4);
    c.end();
    await served;
    expect(c.received.filter((m) => m.id === 2)).to.deep.equal([]);
  });

  it('server/diagnostics: experimental, as Codex gates it; the process and the in-flight and queued gauges', async () => {
    const m = gatedMethods();
    const server = serverWith(m);
    const plain = memoryClient();
    const plainServed = server.serve(plain.connection);
    initialized(plain);
    const refused = plain.request('server/diagnostics', {});
    await until(() => plain.answer(refused) !== undefined, 'the refusal');
    expect(plain.answer(refused)).to.deep.equal({
      jsonrpc: '2.0',
      id: refused,
      error: { code: -32600, message: 'server/diagnostics requires experimentalApi capability' },
    });
    plain.end();
    await plainServed;

    const c = memoryClient();
    const served = server.serve(c.connection);
    initialized(c, true);
    c.request('test/write', { tag: 'w1' });
    c.request('test/write', { tag: 'w2' });
    await until(() => m.started.length === 1, 'w1');
    const diag = c.request('server/diagnostics', {});
    await until(() => c.answer(diag) !== undefined, 'the diagnostics');
    const result = c.answer(diag)!.result as {
      process: { id: number; residentMemoryBytes: number; physicalFootprintBytes: null };
      gauges: unknown;
    };
    expect(result.process.id).to.equal(process.pid);
    expect(result.process.residentMemoryBytes).to.be.above(1 << 20); // this process's RSS: a measure, not a count
    expect(result.process.physicalFootprintBytes).to.equal(null);
    // w1 and this request run, w2 waits: Codex counts every request not yet answered.
    expect(result.gauges).to.deep.equal([
      { name: 'app.requests.in_flight', value: 3 },
      { name: 'app.requests.queued', value: 1 },
      // The Codex version this connection speaks (the newest, no option given): a gauge named by it, as Codex's values are integers.
      { name: `rolloutEngine.codexVersion.${NEWEST_CODEX_VERSION}`, value: 1 },
    ]);
    m.release('w1');
    await until(() => m.started.includes('w2'), 'w2');
    m.release('w2');
    c.end();
    await served;
  });
});

describe('the scheduler starts requests a few per turn of the event loop, writes first', () => {
  it('of 40 reads and a write allowed at once, the write starts first and 16 start in the first turn; the rest follow in later turns', async () => {
    const scheduler = createScheduler({ maxQueuedPerKey: 64 });
    const started: string[] = [];
    const releases: Array<() => void> = [];
    const job = (name: string, scope: RpcScope) => ({
      owner: {},
      scope,
      run: () => {
        started.push(name);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      skipped: () => undefined,
    });
    for (let i = 0; i < 40; i++) scheduler.submit(job(`r${i}`, null));
    scheduler.submit(job('w', { key: 'thread-a', access: 'write' }));
    expect(started, 'nothing starts in the turn that submitted').to.deep.equal([]);
    await new Promise((r) => setImmediate(r));
    expect(started.length).to.equal(16);
    expect(started[0]).to.equal('w');
    expect(started.slice(1)).to.deep.equal(Array.from({ length: 15 }, (_, i) => `r${i}`));
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
    expect(started.length).to.equal(41);
    expect(scheduler.load.inFlight()).to.equal(41);
    for (const release of releases) release();
    await scheduler.idle();
  });
});

describe('the RPC server over a long-lived connection', () => {
  it('keeps no memory per message read: 40,000 requests on one connection leave the heap where it was', async function () {
    this.timeout(120_000);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const m = gatedMethods();
    const server = serverWith(m);
    const c = memoryClient({ withClosedSignal: true });
    const served = server.serve(c.connection);
    initialized(c);
    const round = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i += 100) {
        for (let j = 0; j < 100; j++) c.request('test/quick');
        await until(() => c.received.length >= 100, 'a hundred answers');
        c.received.length = 0;
      }
    };
    const heapAfter = async (): Promise<number> => {
      await until(() => server.load.inFlight() === 0, 'every request done');
      gc();
      gc();
      return v8.getHeapStatistics().used_heap_size;
    };
    await round(2_000);
    const before = await heapAfter();
    await round(40_000);
    const grown = (await heapAfter()) - before;
    // A reaction kept per message (a race against a promise that settles only at shutdown) was ~200 bytes: 8 MB here.
    expect(grown, `heap grew by ${(grown / 1048576).toFixed(1)} MB`).to.be.below(2 * 1048576);
    c.end();
    c.abort();
    await served;
    await server.shutdown();
  });
});
