// Issue 68, finding 5: no cap on connections. 48 peers each sending 15 MiB of a 16 MiB frame and
// stopping grew `serve` by 729–738 MB; 1,100 half-open HTTP heads from a party without the token
// took all 1,024 descriptors and the token holder's connection was dropped. Expected
// (`adapters/driving/rpc/listenerBounds.ts`): the bytes of messages in progress bounded across peers (the
// peer holding the most closed 1013), the connections without a session bounded (the oldest dropped
// with a 503, never a session), the sessions bounded (503 with a reason), all within the process's
// descriptors. Each scenario waits until the kernel says `serve` read every byte sent to it and
// accepted every connection (`/proc/net/tcp` queues empty), never a time.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodePath from 'node:path';
import { WebSocket } from 'ws';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import type { ListeningServer } from '../fixtures/listeningServer.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';
import { loggedLines, memoryOf, until, writeHome } from './servedHome.js';

const figures = {
  partialFramePeers: 0,
  partialFrameMiB: 0,
  busyClosed: 0,
  closedWith1013: 0,
  baseRssMB: 0,
  peakRssMB: 0,
  growthMB: 0,
  halfOpenHeads: 0,
  headsDropped: 0,
  tokenHolderAnswered: 0,
  sessionsRefused503: 0,
};

/** serve's growth under 48 × 15 MiB partial frames: the default budget is 64 MiB; the unbounded server grew 729–738 MB. */
const MAX_GROWTH_MB = 250;

const TOKEN = 'listener-bounds-token-0123456789';

/** `serve --listen ws://127.0.0.1:0` with `extra` flags, under `nofile` descriptors when given (prlimit). */
const startServe = async (
  started: ChildProcess[],
  home: string,
  extra: ReadonlyArray<string>,
  nofile?: number,
): Promise<ListeningServer> => {
  const args = [process.execPath, ENGINE_CLI_PATH, 'serve', '--codex-home', home, ...extra];
  const [file, ...rest] = nofile === undefined ? args : ['prlimit', `--nofile=${nofile}:${nofile}`, ...args];
  const serve = await spawnListening(file!, rest, { ms: 60_000 });
  started.push(serve.child);
  return serve;
};

/**
 * Bytes the kernel holds for the connections to `port` (sent, not yet read by either end) and the
 * connections waiting to be accepted on it (a listening socket's rx_queue): 0 once `serve` has
 * read everything sent to it and accepted every connection.
 */
const unsettled = (port: number): number => {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !(f[1]!.endsWith(hex) || f[2]!.endsWith(hex))) continue;
    const [tx, rx] = f[4]!.split(':').map((h) => parseInt(h, 16));
    n += (tx ?? 0) + (rx ?? 0);
  }
  return n;
};
const settled = async (port: number): Promise<void> => {
  // The kernel's queues, polled: what the verdict reads is the state they reach, not when.
  if (!(await until(() => unsettled(port) === 0, 120_000)))
    throw new Error(`serve did not read what was sent to it: ${unsettled(port)} bytes waiting`);
};

/** A raw WebSocket connection to `port` (no ws client: the frames are written by hand), upgraded. */
const rawUpgrade = (port: number, headers = ''): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      ),
    );
    let head = '';
    const onData = (d: Buffer): void => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve(socket);
      else reject(new Error(head));
    };
    socket.on('data', onData);
  });

/** The header of one masked text frame of `length` bytes (mask 0: the payload goes as it is). */
const frameHeader = (length: number): Buffer => {
  const h = Buffer.alloc(14);
  h[0] = 0x81;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
};

/** The close code of the server's close frame in what a raw socket received after its upgrade answer, or null. */
const closeCodeIn = (received: Buffer): number | null => {
  const i = received.indexOf(0x88);
  return i < 0 || i + 3 >= received.length ? null : received.readUInt16BE(i + 2);
};

describe('reliability · listener bounds: what peers without a session, and peers in the middle of a frame, can hold', function () {
  this.timeout(600_000);
  const tmp = useTempDir('listener-bounds-');
  const children: ChildProcess[] = [];
  const sockets: net.Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  after(() => reportArea('listener bounds', figures));

  it('48 peers each send 15 MiB of a 16 MiB frame and stop: serve grows by less than 250 MB, the peers over the budget closed 1013', async () => {
    const home = nodePath.join(tmp(), 'frames');
    writeHome(home, 4, 2);
    const serve = await startServe(children, home, []);
    figures.baseRssMB = memoryOf(serve.child.pid!).peakMB;
    const payload = Buffer.alloc(15 << 20, 0x20);
    const received = new Map<net.Socket, Buffer[]>();
    for (let i = 0; i < 48; i++) {
      const s = await rawUpgrade(serve.port);
      sockets.push(s);
      received.set(s, []);
      s.on('data', (d: Buffer) => received.get(s)!.push(d));
      s.on('error', () => undefined);
      s.write(frameHeader(16 << 20));
      // One peer after the other: each peer's 15 MiB is in the server before the next starts.
      await new Promise<void>((resolve) => s.write(payload, () => resolve()));
      await settled(serve.port);
    }
    figures.partialFramePeers = 48;
    figures.partialFrameMiB = 15;
    figures.peakRssMB = memoryOf(serve.child.pid!).peakMB;
    figures.growthMB = figures.peakRssMB - figures.baseRssMB;
    figures.busyClosed = await loggedLines(serve, /too many bytes of messages in progress/, 44);
    figures.closedWith1013 = [...received.values()].filter(
      (chunks) => closeCodeIn(Buffer.concat(chunks)) === 1013,
    ).length;
    expect(figures.growthMB, `peak ${figures.peakRssMB} MB from ${figures.baseRssMB} MB`).to.be.below(MAX_GROWTH_MB);
    // 64 MiB hold four 15 MiB frames: every other peer is closed, and says why.
    expect(figures.busyClosed).to.equal(44);
    expect(figures.closedWith1013).to.equal(44);
  });

  it('1,100 half-open heads without the token on a serve of 1,024 descriptors: the token holder connects and is answered, the oldest heads dropped 503', async function () {
    skipUnmet(
      this,
      spawnSync('prlimit', ['--version']).status === 0,
      'linux',
      'prlimit runs serve with 1,024 descriptors',
    );
    const home = nodePath.join(tmp(), 'heads');
    writeHome(home, 4, 2);
    const tokenFile = nodePath.join(tmp(), 'token');
    fs.writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    // No head times out while the scenario runs: the count of heads dropped is the bound's alone.
    const serve = await startServe(
      children,
      home,
      ['--ws-auth', 'capability-token', '--ws-token-file', tokenFile, '--head-timeout-ms', '600000'],
      1024,
    );
    let dropped503 = 0;
    let closedByServer = 0;
    const openHead = (): void => {
      const s = net.connect(serve.port, '127.0.0.1');
      sockets.push(s);
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => {
        if (d.toString('latin1').startsWith('HTTP/1.1 503')) dropped503++;
      });
      s.on('close', () => closedByServer++);
      // A head begun and never ended.
      s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nUpgrade: websocket\r\n`);
    };
    // In batches smaller than the 64 serve holds, each read by serve before the next: a head is
    // dropped only after serve read what it sent (closed with nothing unread, the 503 is not cut
    // by a reset), whatever the machine's speed.
    for (let batch = 0; batch < 1100 / 50; batch++) {
      for (let i = 0; i < 50; i++) openHead();
      await until(() => sockets.every((s) => !s.connecting), 60_000);
      await settled(serve.port);
    }
    figures.halfOpenHeads = 1100;

    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const opened = await new Promise<boolean>((resolve) =>
      ws.once('open', () => resolve(true)).once('error', () => resolve(false)),
    );
    let answer: Record<string, unknown> | null = null;
    if (opened) {
      answer = await new Promise<Record<string, unknown>>((resolve) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
        ws.send(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { clientInfo: { name: 'bounds', version: '0' } },
          }),
        );
      });
      ws.close();
    }
    figures.tokenHolderAnswered = answer !== null && 'result' in answer ? 1 : 0;
    figures.headsDropped = await loggedLines(serve, /too many connections without a session/, 1101 - 64);
    expect(opened, 'the token holder connected').to.equal(true);
    expect(answer).to.have.property('result');
    // 1,100 heads and the token holder's, the server holding 64 at most: the rest dropped, oldest first, each with a 503.
    expect(figures.headsDropped).to.equal(1101 - 64);
    await until(() => closedByServer >= figures.headsDropped && dropped503 >= figures.headsDropped, 60_000);
    expect({ closedByServer, dropped503 }).to.deep.equal({
      closedByServer: figures.headsDropped,
      dropped503: figures.headsDropped,
    });
  });

  it('--max-connections 2: a third session is refused 503 with the reason, the two answered', async () => {
    const home = nodePath.join(tmp(), 'sessions');
    writeHome(home, 4, 2);
    const serve = await startServe(children, home, ['--max-connections', '2']);
    const sessions = [new WebSocket(`ws://127.0.0.1:${serve.port}`), new WebSocket(`ws://127.0.0.1:${serve.port}`)];
    await Promise.all(
      sessions.map((ws) => new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))),
    );
    const third = await rawUpgrade(serve.port).then(
      () => 'upgraded',
      (err: Error) => err.message,
    );
    expect(third).to.match(
      /^HTTP\/1\.1 503 Service Unavailable[\s\S]*too many connections: the server holds 2; retry later$/,
    );
    figures.sessionsRefused503 = 1;
    expect(await loggedLines(serve, /"msg":"upgrade refused".*"status":503/)).to.equal(1);
    // The two sessions are served meanwhile.
    const answers = await Promise.all(
      sessions.map(
        (ws) =>
          new Promise<Record<string, unknown>>((resolve) => {
            ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
            ws.send(
              JSON.stringify({
                jsonrpc: '2.0',
                id: 1,
                method: 'initialize',
                params: { clientInfo: { name: 'bounds', version: '0' } },
              }),
            );
          }),
      ),
    );
    for (const ws of sessions) ws.close();
    expect(answers.map((a) => 'result' in a)).to.deep.equal([true, true]);
  });
});
