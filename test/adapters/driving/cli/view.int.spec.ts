// `rollout-engine view` and the viewer's address on `serve --listen`'s start-up line: a newcomer
// finds the viewer from the command line, from the log line and from the listener's root.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { newThread } from '../../../projections/synth.js';
import { writeSynthThread } from '../../../fixtures/synthHome.js';

/** Resolves with the first match of `pattern` in what the stream says, or rejects after `ms`. */
const waitFor = (
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  ms = 30_000,
): Promise<RegExpExecArray> =>
  new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${String(pattern)} in ${stream} within ${ms} ms: ${seen}`)),
      ms,
    );
    child[stream]!.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('the viewer is found: `view`, the start-up line, GET /', function () {
  this.timeout(120_000);
  const tmp = useTempDir('view-cli-');
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  const homeWithAThread = async (): Promise<string> => {
    const home = nodePath.join(tmp(), 'home');
    await writeSynthThread(home, newThread(4100), 2);
    return home;
  };

  it('view --no-open prints the viewer’s loopback address, which serves the page; GET / leads there; Ctrl-C ends it with 0', async () => {
    const child = spawn(
      process.execPath,
      [ENGINE_CLI_PATH, 'view', '--no-open', '--codex-home', await homeWithAThread()],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    const [, url] = await waitFor(child, 'stdout', /^viewer: (http:\/\/127\.0\.0\.1:\d+\/viewer\/) \(Ctrl-C stops\)$/m);
    const page = await fetch(url!);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('<script src="app.js" defer></script>');
    const root = await fetch(url!.replace(/viewer\/$/, ''), { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).to.deep.equal([308, '/viewer/']);
    child.kill('SIGINT');
    expect(await exited(child)).to.equal(0);
  });

  // Issue 55: on a machine without a browser `view` printed the address and said nothing of the browser.
  describe('a machine without a browser: view says it opened none, which opener it tried and how to open the page', () => {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
    /** `view` with PATH holding only `bin`; what it said on stdout (the address) and then on stderr, once stderr names the opener. */
    const viewWithPath = async (bin: string): Promise<{ url: string; said: string }> => {
      const child = spawn(process.execPath, [ENGINE_CLI_PATH, 'view', '--codex-home', await homeWithAThread()], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, PATH: bin },
      });
      children.push(child);
      const address = waitFor(child, 'stdout', /^viewer: (http:\/\/127\.0\.0\.1:(\d+)\/viewer\/) \(Ctrl-C stops\)$/m);
      const [said] = await waitFor(child, 'stderr', /^no browser opened: [^\n]*\n[^\n]*\n[^\n]*\n/m);
      const [, url] = await address;
      child.kill('SIGINT');
      expect(await exited(child)).to.equal(0);
      return { url: url!, said };
    };
    const howToOpen = (url: string) => {
      const port = new URL(url).port;
      return `Open the viewer by pasting its address into a browser on this machine: ${url}\n(on a machine you reach over SSH: ssh -L ${port}:127.0.0.1:${port} <this host>, then open that address where you are)\n`;
    };

    it('no opener on PATH: names it as not found, and prints the address to paste', async () => {
      const empty = nodePath.join(tmp(), 'empty-bin');
      fs.mkdirSync(empty, { recursive: true });
      const { url, said } = await viewWithPath(empty);
      expect(said).to.equal(`no browser opened: ${opener} was not found on PATH.\n${howToOpen(url)}`);
    });

    it('an opener that finds no browser (xdg-open on a server exits 3): names it and its exit code, and prints the address to paste', async () => {
      const bin = nodePath.join(tmp(), 'opener-bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.writeFileSync(
        nodePath.join(bin, opener),
        '#!/bin/sh\necho "xdg-open: no method available for opening $1" >&2\nexit 3\n',
        { mode: 0o755 },
      );
      const { url, said } = await viewWithPath(bin);
      expect(said).to.equal(`no browser opened: ${opener} exited 3.\n${howToOpen(url)}`);
    });
  });

  it('serve --listen on a port another process holds: says so, exits 2, and opens no home (no index, no gate line after the error)', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const home = await homeWithAThread();
      const indexDir = nodePath.join(tmp(), 'taken-port-index');
      const child = spawn(
        process.execPath,
        [ENGINE_CLI_PATH, 'serve', '--listen', `ws://127.0.0.1:${port}`, '--codex-home', home, '--index-dir', indexDir],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      children.push(child);
      let said = '';
      child.stderr!.on('data', (d: Buffer) => (said += d.toString()));
      expect(await exited(child)).to.equal(2);
      expect(said).to.contain(`cannot listen on 127.0.0.1:${port}`).and.to.contain('EADDRINUSE');
      expect(said).to.not.contain('backfill gate passed');
      expect(fs.existsSync(indexDir), 'an index was built').to.equal(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('view --port refuses a port beyond 65535 naming the option (exit 2)', async () => {
    const child = spawn(
      process.execPath,
      [ENGINE_CLI_PATH, 'view', '--port', '70000', '--no-open', '--codex-home', await homeWithAThread()],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    const said = waitFor(child, 'stderr', /invalid --port: expected a port number from 0 to 65535, got 70000/);
    expect(await exited(child)).to.equal(2);
    await said;
  });

  it('serve --listen ws:// says the viewer’s address on its start-up line (with a token placeholder when auth is on)', async () => {
    const home = await homeWithAThread();
    const open = spawn(
      process.execPath,
      [ENGINE_CLI_PATH, 'serve', '--listen', 'ws://127.0.0.1:0', '--codex-home', home],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(open);
    const [line] = await waitFor(open, 'stderr', /\{[^\n]*"msg":"listening"[^\n]*\}/);
    const said = JSON.parse(line) as { url: string; auth: string; viewer: string };
    expect(said.viewer).to.equal(`${said.url.replace('ws://', 'http://')}/viewer/`);
    open.kill('SIGTERM');
    await exited(open);

    const tokenFile = nodePath.join(tmp(), 'token');
    (await import('node:fs')).writeFileSync(tokenFile, 'a-capability-token-of-enough-length-0123456789');
    const guarded = spawn(
      process.execPath,
      [
        ENGINE_CLI_PATH,
        'serve',
        '--listen',
        'ws://127.0.0.1:0',
        '--ws-auth',
        'capability-token',
        '--ws-token-file',
        tokenFile,
        '--codex-home',
        home,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(guarded);
    const [guardedLine] = await waitFor(guarded, 'stderr', /\{[^\n]*"msg":"listening"[^\n]*\}/);
    const guardedSaid = JSON.parse(guardedLine) as { url: string; viewer: string };
    expect(guardedSaid.viewer).to.equal(`${guardedSaid.url.replace('ws://', 'http://')}/viewer/#token=<token>`);
    expect(guardedLine).to.not.contain('a-capability-token');
    guarded.kill('SIGTERM');
    await exited(guarded);
  });
});
