// `serve --listen ws://`: frames, HTTP endpoints, one home for every connection, dead and slow
// peers, bounded fragments (and the same bytes as stdio), a stream cut part way, oversized input.
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { WebSocket, WebSocketServer } from 'ws';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { rawWebSocket, startWebSocketServe } from '../../../fixtures/webSocketServe.js';
import type { WebSocketServe } from '../../../fixtures/webSocketServe.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { DEFAULT_WEBSOCKET_LIMITS, webSocketConnection } from '../../../../adapters/driving/rpc/webSocketConnection.js';

const T = '01a1fe84-0000-7000-8000-0000000000e1';
const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { clientInfo: { name: 't', version: '1' } } };

/** A thread whose full read is about 1 MB (40 turns of 25 KB answers). */
const bigThread = (home: string): void => {
  const w = chatThread('paginated', T, 0);
  for (let i = 1; i <= 40; i++) w.chatTurn(`t${i}`, `question ${i}`, `${i} ${'answer '.repeat(3600)}`);
  writeRollout(home, rolloutName(T), w.text());
};

/** A `ws` client that collects messages and answers requests by id. */
const client = async (url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}) => {
  const ws = new WebSocket(url, opts);
  const messages: Array<{ text: string; binary: boolean }> = [];
  const waiting = new Map<unknown, (m: Record<string, unknown>) => void>();
  let closed: { code: number } | null = null;
  const closing = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve((closed = { code }))));
  ws.on('message', (data, binary) => {
    const text = data.toString();
    messages.push({ text, binary });
    try {
      const m = JSON.parse(text) as Record<string, unknown>;
      waiting.get(m['id'])?.(m);
    } catch {
      // kept in `messages`
    }
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const request = (id: number, method: string, params: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  await request(0, 'initialize', INIT.params);
  return { ws, messages, request, closing, closed: () => closed };
};

const until = async (what: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const metric = async (s: WebSocketServe, line: string): Promise<number> => {
  const found = (await s.metrics.text()).split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.split(' ')[1]);
};

/** The raw stdout line `serve` (stdio) answers a request with (its last line). */
const stdioAnswerBytes = (home: string, request: unknown): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('exit', () => {
      const all = Buffer.concat(out).subarray(0, -1);
      resolve(all.subarray(all.lastIndexOf('\n') + 1));
    });
    child.stdin.end(`${JSON.stringify(INIT)}\n${JSON.stringify(request)}\n`);
  });

describe('serve over WebSocket', function () {
  this.timeout(120_000);
  const homeOf = useTempDir('serve-ws-');
  let serve: WebSocketServe | undefined;
  afterEach(async () => {
    await serve?.close();
    serve = undefined;
  });

  it('answers one message per text frame; a non-JSON frame gets -32700 and a binary frame of JSON is answered; one home for every connection', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 2).text());
    serve = await startWebSocketServe(homeOf());
    const a = await client(serve.url);
    const b = await client(serve.url);
    const list = await a.request(1, 'thread/list', {});
    expect((list['result'] as { data: Array<{ id: string }> }).data.map((t) => t.id)).to.deep.equal([T]);
    a.ws.send('not json');
    a.ws.send(
      Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'thread/turns/list', params: { threadId: T } })),
      { binary: true },
    );
    await until(() => a.messages.length >= 4, 5000);
    expect(JSON.parse(a.messages[2]!.text)).to.deep.include({
      id: null,
      error: { code: -32700, message: 'Parse error: Unexpected token \'o\', "not json" is not valid JSON' },
    });
    expect((JSON.parse(a.messages[3]!.text) as { result: { data: unknown[] } }).result.data).to.have.length(2);
    expect(a.messages.every((m) => !m.binary)).to.equal(true);
    expect((await b.request(1, 'thread/read', { threadId: T })).result).to.have.nested.property('thread.id', T);
    expect(serve.opens()).to.equal(1);
    a.ws.close();
    b.ws.close();
  });

  it('answers /readyz and /healthz 200 with an empty body, /metrics in Prometheus text, refuses an Origin with 403, a plain GET with 400', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 1).text());
    serve = await startWebSocketServe(homeOf());
    const http = `http://127.0.0.1:${serve.port}`;
    for (const path of ['/readyz', '/healthz']) {
      const r = await fetch(`${http}${path}`);
      expect([r.status, await r.text()]).to.deep.equal([200, '']);
      const o = await fetch(`${http}${path}`, { headers: { Origin: 'http://example.com' } });
      expect([o.status, await o.text()]).to.deep.equal([403, '']);
    }
    expect((await fetch(`${http}/readyz`, { method: 'POST' })).status).to.equal(405);
    // A browser pointed at the listener is led to the viewer; any other plain request gets Codex's 400.
    expect((await fetch(`${http}/`, { redirect: 'manual' })).headers.get('location')).to.equal('/viewer/');
    const plain = await fetch(`${http}/other`);
    expect([plain.status, await plain.text()]).to.deep.equal([400, "Connection header did not include 'upgrade'"]);
    const refused = await new Promise<number>((resolve) =>
      new WebSocket(serve!.url, { headers: { Origin: 'http://example.com' } })
        .on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        .on('error', () => undefined),
    );
    expect(refused).to.equal(403);
    const c = await client(serve.url);
    await c.request(1, 'thread/list', {});
    const m = await fetch(`${http}/metrics`);
    expect(m.headers.get('content-type')).to.contain('text/plain');
    const text = await m.text();
    expect(text).to.match(
      /^rollout_engine_rpc_request_duration_seconds_count\{method="thread\/list",outcome="ok"\} 1$/m,
    );
    expect(text).to.match(/^rollout_engine_connections\{transport="ws"\} 1$/m);
    expect(text).to.match(/^rollout_engine_ws_upgrades_refused_total\{status="403"\} 1$/m);
    expect(text).to.match(/^rollout_engine_rpc_requests_in_flight 0$/m);
    expect(text).to.match(/^rollout_engine_rpc_requests_queued 0$/m);
    expect(text).to.match(/^rollout_engine_event_loop_lag_seconds\{quantile="0.99"\} /m);
    expect(Number(/^rollout_engine_ws_bytes_out_total (\d+)$/m.exec(text)?.[1])).to.be.greaterThan(100);
    c.ws.close();
  });

  it('pings, and drops a peer that does not answer', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 1).text());
    // A second between pings: the live peer, in this process, answers each within it even under load (a verdict on a 50 ms tick was a race).
    serve = await startWebSocketServe(homeOf(), { pingIntervalMs: 1000 });
    const live = await client(serve.url);
    const dead = await client(serve.url, { autoPong: false });
    const { code } = await dead.closing;
    expect(code).to.equal(1006);
    expect(live.closed()).to.equal(null);
    expect(await metric(serve, 'rollout_engine_ws_peers_dropped_total{reason="dead"}')).to.equal(1);
    live.ws.close();
  });

  it('drops a consumer that stops reading once its outbound buffer is over the bound, without producing what it asked for, and serves the others', async () => {
    bigThread(homeOf());
    serve = await startWebSocketServe(homeOf(), {
      limits: { maxBufferedBytes: 256 * 1024, fragmentBytes: 16 * 1024, stallMs: 300 },
    });
    const slow = await client(serve.url);
    slow.ws.pause();
    for (let id = 1; id <= 40; id++)
      slow.ws.send(
        JSON.stringify({ jsonrpc: '2.0', id, method: 'thread/read', params: { threadId: T, includeTurns: true } }),
      );
    await until(
      async () => (await metric(serve!, 'rollout_engine_ws_peers_dropped_total{reason="slow"}')) === 1,
      20_000,
    );
    // 40 answers are 40 MB: the server stopped at its bound plus what the sockets hold.
    expect(await metric(serve, 'rollout_engine_ws_bytes_out_total')).to.be.lessThan(12 << 20);
    slow.ws.resume();
    expect((await slow.closing).code).to.equal(1006);
    const other = await client(serve.url);
    expect((await other.request(1, 'thread/read', { threadId: T })).result).to.have.nested.property('thread.id', T);
    other.ws.close();
  });

  it('sends a large answer as one message in fragments of at most the bound, with the bytes stdio writes', async () => {
    bigThread(homeOf());
    serve = await startWebSocketServe(homeOf(), { limits: { fragmentBytes: 16 * 1024 } });
    const read = { jsonrpc: '2.0', id: 1, method: 'thread/read', params: { threadId: T, includeTurns: true } };
    const raw = await rawWebSocket(serve.port);
    raw.send(JSON.stringify(INIT));
    await raw.nextMessage();
    raw.send(JSON.stringify(read));
    // A full read of a paginated thread is preceded by Codex's deprecation notice.
    let frames = await raw.nextMessage();
    while (!frames[0]!.payload.toString().startsWith('{"jsonrpc":"2.0","id":1,')) frames = await raw.nextMessage();
    raw.close();
    expect(frames.length).to.be.greaterThan(50);
    expect(frames.map((f) => f.opcode)).to.deep.equal([1, ...frames.slice(1).map(() => 0)]);
    expect(frames.every((f) => f.payload.length <= 16 * 1024)).to.equal(true);
    const ws = Buffer.concat(frames.map((f) => f.payload));
    const stdio = await stdioAnswerBytes(homeOf(), read);
    expect(ws.length).to.be.greaterThan(1_000_000);
    expect(ws.equals(stdio)).to.equal(true);
  });

  it('closes with 1009 on a message over the size limit', async () => {
    writeRollout(homeOf(), rolloutName(T), chatThread('paginated', T, 1).text());
    serve = await startWebSocketServe(homeOf(), { limits: { maxMessageBytes: 64 * 1024 } });
    const c = await client(serve.url);
    c.ws.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'thread/read', params: { threadId: 'x'.repeat(70 * 1024) } }),
    );
    expect((await c.closing).code).to.equal(1009);
  });
});

describe('webSocketConnection: a stream that fails part way', function () {
  this.timeout(120_000);

  it('ends the cut message (not valid JSON), rejects the send with the error, and sends the next message whole', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const peer = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    const got: string[] = [];
    peer.on('message', (d) => got.push(d.toString()));
    const conn = webSocketConnection(
      await accepted,
      { ...DEFAULT_WEBSOCKET_LIMITS, fragmentBytes: 4096 },
      { onSlowPeer: () => undefined, onBytesOut: () => undefined },
    );
    const boom = new Error('rollout rewritten under the index');
    async function* turns() {
      for (let i = 0; i < 100; i++) yield { id: i, text: 'x'.repeat(1000) };
      throw boom;
    }
    let rejected: unknown;
    await conn.send({ jsonrpc: '2.0', id: 1, result: { turns: turns() } }).catch((e: unknown) => (rejected = e));
    expect(rejected).to.equal(boom);
    await conn.send({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'x' } });
    await until(() => got.length === 2, 5000);
    expect(got[0]!.startsWith('{"jsonrpc":"2.0","id":1,"result":{"turns":[{"id":0')).to.equal(true);
    expect(got[0]!.endsWith('\n')).to.equal(true);
    expect(() => JSON.parse(got[0]!)).to.throw();
    expect(JSON.parse(got[1]!)).to.deep.equal({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'x' } });
    peer.close();
    wss.close();
  });
});
