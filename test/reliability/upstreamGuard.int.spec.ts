// Issue 51: `serve --upstream` as an attacker sees it. (1) `--upstream codex` spawned
// `codex app-server --listen ws://127.0.0.1:PORT` with no auth: any local process could find the
// port and run commands as the serving user. (2) One JSON `null` frame from the upstream killed
// `serve` for every client. (3) An upstream that took the connection and never answered the
// handshake held `initialize` (and every history method behind it) forever, and `serve` then
// ignored SIGTERM. (4) After the upstream link was made again, a client's late reply to an
// approval the OLD link asked was delivered to the NEW one under the old id, answering another
// request. Each is driven on a real `serve` process with a scripted fake upstream (the real
// binary for (1)); no verdict waits on a clock: every step waits for what the other side saw.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodePath from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from '../compat/appServer.js';
import { MockResponses } from '../compat/mockResponses.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import type { ListeningServer } from '../fixtures/listeningServer.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';

const figures = {
  tcpListening: 0,
  unixListening: 0,
  otherUidRefused: 0,
  badFrames: 0,
  badFramesLogged: 0,
  serveCrashes: 0,
  timeoutsAnswered: 0,
  sigtermExits: 0,
  sigtermMaxMs: 0,
  lateRepliesDelivered: 0,
  lateRepliesRefused: 0,
};

/** Resolves when `holds` does (checked every 20 ms), or fails naming `what` after `ms` (a bound on a hang, never a verdict on speed). */
const until = async (what: string, holds: () => boolean, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** `p`, or a failure naming `what` after `ms`. */
const within = <T>(what: string, p: Promise<T>, ms = 30_000): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** A home of one small thread. */
const smallHome = (home: string): void => {
  const t = newThread(5100);
  const path = nodePath.join(home, rolloutRelPath(t.threadId));
  fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  fs.writeFileSync(path, `${threadLines(t, 2).join('\n')}\n`);
};

type Message = Record<string, unknown>;

const children: ChildProcess[] = [];

/** A real `serve --listen ws://127.0.0.1:0` on `home` with `args`, once it listens. */
const startServe = async (
  home: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ListeningServer> => {
  const serve = await spawnListening(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', home, ...args], {
    env,
  });
  children.push(serve.child);
  return serve;
};

/** A client that keeps every message (requests of the server's own included) and answers by id. */
const client = async (url: string) => {
  const ws = new WebSocket(url);
  const received: Message[] = [];
  let closed = false;
  ws.on('message', (d) => received.push(JSON.parse(d.toString()) as Message));
  ws.on('close', () => (closed = true));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  let next = 1;
  /** The first message `pick` takes, waiting for it; fails if the connection closes first. */
  const next_ = async (what: string, pick: (m: Message) => boolean): Promise<Message> => {
    await until(what, () => received.some(pick) || closed);
    const m = received.find(pick);
    if (m === undefined) throw new Error(`the connection closed before ${what} (serve gone?)`);
    return m;
  };
  const request = (method: string, params: unknown = {}): Promise<Message> => {
    const id = next++;
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return next_(`the answer to ${method}`, (m) => m['id'] === id && !('method' in m));
  };
  return {
    ws,
    received,
    request,
    next: next_,
    send: (m: unknown) => ws.send(JSON.stringify(m)),
    close: () => ws.close(),
  };
};

const INIT = { clientInfo: { name: 'upstream_guard', version: '0' } };

/** A fake upstream: a WebSocket server whose every connection is handed to `script` with what it received. */
const fakeUpstream = async (script: (ws: WebSocket, received: Message[], index: number) => void) => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: Array<{ ws: WebSocket; received: Message[] }> = [];
  server.on('connection', (ws) => {
    const received: Message[] = [];
    connections.push({ ws, received });
    const index = connections.length - 1;
    ws.on('message', (d) => received.push(JSON.parse(d.toString()) as Message));
    script(ws, received, index);
  });
  const port = (server.address() as net.AddressInfo).port;
  // Its connections are cut first: ws's close waits for them, and a failed test leaves serve's link open.
  const close = (): Promise<void> =>
    new Promise<void>((r) => {
      for (const c of connections) c.ws.terminate();
      server.close(() => r());
    });
  return { url: `ws://127.0.0.1:${port}`, connections, close };
};

/** Answers the link's `initialize` as Codex does. */
const answerInitialize = (ws: WebSocket, m: Message): void => {
  if (m['method'] === 'initialize')
    ws.send(
      JSON.stringify({
        id: m['id'],
        result: { userAgent: 'fake/0.169.0', codexHome: '/x', platformFamily: 'unix', platformOs: 'linux' },
      }),
    );
};

/** Each message as it comes, to `on`. */
const onEach = (ws: WebSocket, on: (m: Message) => void): void => {
  ws.on('message', (d) => on(JSON.parse(d.toString()) as Message));
};

/** `pid` and every process below it. */
const processTree = (pid: number): number[] => {
  let below: number[] = [];
  try {
    below = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    // no children
  }
  return [pid, ...below.flatMap(processTree)];
};

/** The socket inodes a process holds open. */
const socketInodes = (pid: number): Set<string> => {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m !== null) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
};

/** The TCP sockets in LISTEN (state 0A) among `inodes`, as "address:port" (hex, as /proc gives them). */
const tcpListening = (pid: number, inodes: Set<string>): string[] =>
  ['tcp', 'tcp6'].flatMap((f) =>
    fs
      .readFileSync(`/proc/${pid}/net/${f}`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c.length > 9 && c[3] === '0A' && inodes.has(c[9]!))
      .map((c) => `${f} ${c[1]}`),
  );

/** The listening Unix sockets (flag __SO_ACCEPTCON) among `inodes`, by path. */
const unixListening = (inodes: Set<string>): string[] =>
  fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 8 && (parseInt(c[3]!, 16) & 0x10000) !== 0 && inodes.has(c[6]!))
    .map((c) => c[7]!);

/** What connecting to the Unix socket at `path` as uid/gid 65534 (nobody) meets: an errno code, or "connected". */
const connectAsNobody = (path: string): string =>
  execFileSync(
    process.execPath,
    [
      '-e',
      `require('net').connect(process.argv[1]).on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(0); })`,
      path,
    ],
    { uid: 65534, gid: 65534, encoding: 'utf8' },
  ).trim();

describe('reliability: serve --upstream guarded (issue 51)', function () {
  this.timeout(180_000);
  const tmp = useTempDir('upstream-guard-');
  let home: string;

  before(() => {
    home = nodePath.join(tmp(), 'home');
    smallHome(home);
  });

  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    reportArea('upstream guard', figures);
  });

  it('--upstream codex: the spawned codex app-server listens on no TCP port, only on a Unix socket in folders of this user closed to others (another uid is refused)', async () => {
    const codexHome = nodePath.join(tmp(), 'codex-home');
    const mock = await MockResponses.start();
    try {
      writeCodexConfig(codexHome, mock.port);
      smallHome(codexHome);
      const serve = await startServe(codexHome, ['--upstream', 'codex', '--upstream-bin', resolveCodexCommand().file], {
        ...process.env,
        ...appServerEnv({ codexHome }),
      });
      const c = await client(serve.url);
      expect(await c.request('initialize', INIT)).to.have.nested.property('result.userAgent');
      // A forwarded method answered: the link to the spawned upstream works.
      expect(await within('account/read', c.request('account/read', {}))).to.have.property('result');

      const tree = processTree(serve.child.pid!).filter((p) => p !== serve.child.pid);
      expect(tree, 'the spawned codex').to.not.be.empty;
      const inodes = new Set(tree.flatMap((p) => [...socketInodes(p)]));
      const tcp = tree.flatMap((p) => tcpListening(p, inodes));
      figures.tcpListening = tcp.length;
      expect(tcp, 'TCP sockets the spawned upstream listens on').to.deep.equal([]);

      const unix = unixListening(inodes);
      figures.unixListening = unix.length;
      expect(unix, 'Unix sockets the spawned upstream listens on').to.have.lengthOf(1);
      const started = /"msg":"upstream codex app-server started"[^\n]*"listen":"unix:\/\/([^"]+)"/.exec(serve.stderr());
      expect(started, 'the start-up log of the upstream').to.not.equal(null);
      const alias = started![1]!;
      expect(fs.realpathSync(alias)).to.equal(unix[0]);
      const uid = process.getuid!();
      for (const folder of [nodePath.dirname(alias), nodePath.dirname(unix[0]!)]) {
        const st = fs.lstatSync(folder);
        expect({ folder, mode: (st.mode & 0o777).toString(8), uid: st.uid }).to.deep.equal({
          folder,
          mode: '700',
          uid,
        });
      }
      if (uid === 0) {
        for (const path of [alias, unix[0]!]) {
          expect(connectAsNobody(path), `another user connecting to ${path}`).to.equal('EACCES');
          figures.otherUidRefused++;
        }
      } else process.stderr.write('    (not root: the connection as another uid is not tried)\n');
      c.close();
      serve.child.kill('SIGTERM');
      await within('serve to exit', serve.exited);
      // The socket's folder is removed with serve.
      expect(fs.existsSync(nodePath.dirname(alias))).to.equal(false);
    } finally {
      await mock.stop();
    }
  });

  // Issue 55: with no `codex` on PATH, serve started and failed only at the first forwarded request.
  it('--upstream codex refuses to start when Codex cannot be started (not on PATH; --upstream-bin not executable), saying where to get it: exit 2, never listening, nothing made in the home', () => {
    const bare = nodePath.join(tmp(), 'no-codex-home');
    smallHome(bare);
    const emptyBin = nodePath.join(tmp(), 'empty-bin');
    fs.mkdirSync(emptyBin, { recursive: true });
    const notExecutable = nodePath.join(tmp(), 'codex-not-executable');
    fs.writeFileSync(notExecutable, '#!/bin/sh\necho codex-cli 0.169.0\n', { mode: 0o644 });
    const where =
      'Install it (npm install -g @openai/codex), or give its path with --upstream-bin PATH (a clone of rollout-engine has it at node_modules/.bin/codex)';
    for (const [args, why] of [
      [[], 'codex was not found on PATH'],
      [['--upstream-bin', notExecutable], `${notExecutable} is not executable`],
    ] as const) {
      for (const listen of ['ws://127.0.0.1:0', 'stdio://']) {
        const r = spawnSync(
          process.execPath,
          [ENGINE_CLI_PATH, 'serve', '--upstream', 'codex', '--listen', listen, '--codex-home', bare, ...args],
          {
            env: { ...process.env, PATH: emptyBin },
            encoding: 'utf8',
            input: '',
            timeout: 60_000,
          },
        );
        expect({ status: r.status, stderr: r.stderr }, listen).to.deep.equal({
          status: 2,
          stderr: `rollout-engine: --upstream codex cannot start Codex: ${why}. ${where}\n`,
        });
      }
    }
    // Refused before anything: no index made in the home.
    expect(fs.readdirSync(bare)).to.deep.equal(['sessions']);
    // And with Codex there, it starts and says which Codex it found.
    const found = spawnSync(
      process.execPath,
      [
        ENGINE_CLI_PATH,
        'serve',
        '--upstream',
        'codex',
        '--upstream-bin',
        resolveCodexCommand().file,
        '--codex-home',
        bare,
        '--log-level',
        'info',
      ],
      {
        env: { ...process.env, PATH: emptyBin },
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
      },
    );
    expect(found.status, found.stderr).to.equal(0);
    expect(found.stderr).to.match(/"msg":"upstream codex found"[^\n]*"version":"codex-cli \d+\.\d+\.\d+"/);
  });

  it('frames from the upstream that are not JSON-RPC messages are logged and dropped: serve stays up, the next message and history are served', async () => {
    const bad = [
      'null',
      '5',
      '[]',
      '"text"',
      '{}',
      'not json',
      '{"method":5}',
      '{"id":{},"method":"x"}',
      '{"id":true,"result":null}',
      '{"id":1.5,"result":1}',
      '{"id":2,"error":"bad"}',
      '{"id":null,"error":{"code":-32600,"message":"x"}}',
    ];
    figures.badFrames = bad.length;
    const upstream = await fakeUpstream((ws) =>
      onEach(ws, (m) => {
        answerInitialize(ws, m);
        if (m['method'] !== 'initialized') return;
        for (const frame of bad) ws.send(frame);
        ws.send(JSON.stringify({ method: 'test/afterBadFrames', params: {} }));
      }),
    );
    try {
      const serve = await startServe(home, ['--upstream', upstream.url]);
      const c = await client(serve.url);
      expect(await c.request('initialize', INIT)).to.have.nested.property('result.userAgent', 'fake/0.169.0');
      await c.next('the notification after the bad frames', (m) => m['method'] === 'test/afterBadFrames');
      const listed = await c.request('thread/list', {});
      expect(listed).to.have.nested.property('result.data').with.lengthOf(1);
      const dropped = (): number => (serve.stderr().match(/"msg":"upstream frame dropped/g) ?? []).length;
      await until('the dropped frames to be logged', () => dropped() >= bad.length);
      figures.badFramesLogged = dropped();
      expect(dropped()).to.equal(bad.length);
      figures.serveCrashes += serve.child.exitCode === null ? 0 : 1;
      expect(serve.child.exitCode).to.equal(null);
      c.close();
    } finally {
      await upstream.close();
    }
  });

  it('an upstream that never answers (the handshake, initialize, a request): initialize and history are answered, forwarded requests get upstreamUnavailable within the configured bounds', async () => {
    // Takes the connection and never answers the handshake.
    const silentSockets: net.Socket[] = [];
    const silent = net.createServer((s) => silentSockets.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    // Answers the handshake, then nothing.
    const deaf = await fakeUpstream(() => undefined);
    // Answers the handshake and initialize, then nothing.
    const mute = await fakeUpstream((ws) => onEach(ws, (m) => answerInitialize(ws, m)));
    try {
      const bounds = ['--upstream-connect-timeout-ms', '300', '--upstream-request-timeout-ms', '300'];
      const a = await startServe(home, [
        '--upstream',
        `ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
        ...bounds,
      ]);
      const c = await client(a.url);
      expect(await within('initialize (the upstream silent)', c.request('initialize', INIT))).to.have.property(
        'result',
      );
      expect(await within('thread/list', c.request('thread/list', {})))
        .to.have.nested.property('result.data')
        .with.lengthOf(1);
      const refused = await within('account/read', c.request('account/read', {}));
      expect(refused).to.have.nested.property('error.code', -32603);
      expect((refused['error'] as { message: string }).message).to.match(
        /not available: no WebSocket handshake within 0\.3 s/,
      );
      figures.timeoutsAnswered += 3;
      c.close();

      const e = await client((await startServe(home, ['--upstream', deaf.url, ...bounds])).url);
      // Our own answer: the upstream's never came.
      expect(await within('initialize (the upstream deaf)', e.request('initialize', INIT)))
        .to.have.nested.property('result.userAgent')
        .that.contains('rollout-engine');
      const deafRefused = await within('account/read', e.request('account/read', {}));
      expect((deafRefused['error'] as { message: string }).message).to.match(
        /not available: no answer to initialize within 0\.3 s; history methods are still answered here$/,
      );
      figures.timeoutsAnswered += 2;
      e.close();

      // The mute one answers the handshake and initialize at once: a connect bound of a minute, so
      // its answer arriving after 0.3 s under load is still its answer; only account/read goes unanswered.
      const b = await startServe(home, [
        '--upstream',
        mute.url,
        '--upstream-connect-timeout-ms',
        '60000',
        '--upstream-request-timeout-ms',
        '300',
      ]);
      const d = await client(b.url);
      expect(await within('initialize (the upstream mute)', d.request('initialize', INIT))).to.have.nested.property(
        'result.userAgent',
        'fake/0.169.0',
      );
      const unanswered = await within('account/read', d.request('account/read', {}));
      expect((unanswered['error'] as { message: string }).message).to.match(
        /not available: no answer to account\/read within 0\.3 s/,
      );
      figures.timeoutsAnswered += 1;
      d.close();
    } finally {
      for (const s of silentSockets) s.destroy();
      silent.close();
      await deaf.close();
      await mute.close();
    }
  });

  it('SIGTERM stops serve while a client waits on an upstream that never answers (its handshake; a forwarded request)', async () => {
    const heard: string[] = [];
    const silentSockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      silentSockets.push(s.on('error', () => undefined));
      s.on('data', (d) => heard.push(d.toString()));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const mute = await fakeUpstream((ws) => onEach(ws, (m) => answerInitialize(ws, m)));
    // Bounds far beyond the test: only SIGTERM can end these waits.
    const long = ['--upstream-connect-timeout-ms', '600000', '--upstream-request-timeout-ms', '600000'];
    const stopped = async (serve: ListeningServer): Promise<void> => {
      const t0 = Date.now();
      serve.child.kill('SIGTERM');
      expect(await within('serve to exit after SIGTERM', serve.exited, 20_000)).to.deep.equal({
        code: 0,
        signal: null,
      });
      figures.sigtermExits++;
      figures.sigtermMaxMs = Math.max(figures.sigtermMaxMs, Date.now() - t0);
    };
    try {
      const a = await startServe(home, [
        '--upstream',
        `ws://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
        ...long,
      ]);
      const c = await client(a.url);
      const init = c.request('initialize', INIT);
      await until('the handshake to reach the silent upstream', () => heard.join('').includes('Upgrade: websocket'));
      await stopped(a);
      void init.catch(() => undefined);

      const b = await startServe(home, ['--upstream', mute.url, ...long]);
      const d = await client(b.url);
      await d.request('initialize', INIT);
      const asked = d.request('account/read', {});
      await until('account/read to reach the mute upstream', () =>
        mute.connections.some((x) => x.received.some((m) => m['method'] === 'account/read')),
      );
      await stopped(b);
      // The waiting request was answered before serve went.
      const answer = await asked;
      expect(answer).to.have.nested.property('error.code', -32603);
    } finally {
      for (const s of silentSockets) s.destroy();
      silent.close();
      await mute.close();
    }
  });

  it("a client's late reply to a request of a link that is gone is not delivered to the next link (nor a reply to an unknown id)", async () => {
    const approval = (command: string) => ({
      method: 'item/commandExecution/requestApproval',
      params: { threadId: 'thr', turnId: 'turn-1', itemId: `item-${command}`, command },
    });
    const upstream = await fakeUpstream((ws, _received, index) =>
      onEach(ws, (m) => {
        answerInitialize(ws, m);
        if (m['method'] === 'account/read')
          ws.send(JSON.stringify({ id: m['id'], result: { account: null, requiresOpenaiAuth: false } }));
        if (m['method'] !== 'initialized') return;
        if (index === 0) {
          ws.send(
            JSON.stringify({
              method: 'turn/started',
              params: { threadId: 'thr', turn: { id: 'turn-1', items: [], status: 'inProgress', error: null } },
            }),
          );
          ws.send(JSON.stringify({ id: 0, ...approval('rm -rf ~/important') }));
        } else ws.send(JSON.stringify({ id: 0, ...approval('ls') }));
      }),
    );
    try {
      const serve = await startServe(home, ['--upstream', upstream.url]);
      const c = await client(serve.url);
      await c.request('initialize', INIT);
      c.send({ jsonrpc: '2.0', method: 'initialized' });
      const first = await c.next(
        'the first approval',
        (m) => (m['params'] as { command?: string } | undefined)?.command === 'rm -rf ~/important',
      );
      // The upstream link drops; serve has seen it once the turn it ran ends failed.
      upstream.connections[0]!.ws.terminate();
      await c.next('the turn ended failed', (m) => m['method'] === 'turn/completed');
      // The next forwarded request makes a new link, which asks its own request 0.
      expect(await c.request('account/read', {})).to.have.property('result');
      const second = await c.next(
        'the second approval',
        (m) => (m['params'] as { command?: string } | undefined)?.command === 'ls',
      );
      expect(second['id']).to.not.equal(first['id']);
      c.send({ jsonrpc: '2.0', id: first['id'], result: { decision: 'accept' } });
      c.send({ jsonrpc: '2.0', id: 'upstream-999', result: { decision: 'accept' } });
      c.send({ jsonrpc: '2.0', id: second['id'], result: { decision: 'decline' } });
      const replies = (): Message[] => upstream.connections[1]!.received.filter((m) => !('method' in m));
      await until('the reply to the second approval to reach the new link', () =>
        replies().some((m) => (m['result'] as { decision?: string } | undefined)?.decision === 'decline'),
      );
      figures.lateRepliesDelivered = replies().length - 1;
      expect(replies()).to.deep.equal([{ id: 0, result: { decision: 'decline' } }]);
      figures.lateRepliesRefused = 2;
      c.close();
    } finally {
      await upstream.close();
    }
  });
});
