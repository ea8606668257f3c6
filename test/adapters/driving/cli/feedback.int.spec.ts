import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import * as readline from 'node:readline';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { generatedHome, LEASE_WORKER, runCli } from './cliRun.js';
import { serveOverStdio } from '../../../fixtures/stdioRpcClient.js';

/** Hold the backfill lease of `indexDir` as `owner` (a live process, or one that exits at once with `crash`). */
const holdLease = async (indexDir: string, owner: string, mode: 'hold' | 'crash'): Promise<ChildProcess> => {
  const child = spawn(process.execPath, [LEASE_WORKER, nodePath.join(indexDir, 'index'), owner, '60000', mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next()).value.split(
    '\n',
  );
  expect(line).to.equal('acquired');
  return child;
};

const ESC = '\u001b';
const MB_40 = 40;

describe('status lines on stderr off a terminal (first index build, serve, waiting, Ctrl-C)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('cli-feedback-');
  let g: { home: string; threadId: string; files: number; bytes: number };
  let held: ChildProcess | undefined;

  before(async () => {
    g = await generatedHome(nodePath.join(tmp(), 'home'), MB_40);
  });
  afterEach(() => {
    held?.kill();
    held = undefined;
  });

  it('the first `threads --json` says it is indexing and when it is done, on stderr; stdout is one JSON page', async () => {
    const run = runCli([
      'threads',
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'threads-index'),
      '--json',
    ]);
    expect(await run.exited, run.stderr()).to.equal(0);
    const page = JSON.parse(run.stdout()) as { data: unknown[] };
    expect(page.data).to.not.be.empty;
    const mb = (g.bytes / 1048576).toFixed(1);
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal(`rollout-engine: indexing ${g.home} (${g.files} files, ${mb} MB)…`);
    expect(lines[1]).to.match(new RegExp(`^rollout-engine: indexed ${g.files} files, ${mb} MB read in \\d+\\.\\d s$`));
    expect(run.stderr()).to.not.contain(ESC);
  });

  it('the first `turns --json` on a home not indexed yet indexes that thread only, and says so; stdout is one JSON page', async () => {
    const run = runCli(['turns', g.threadId, '--codex-home', g.home, '--json']);
    expect(await run.exited, run.stderr()).to.equal(0);
    expect((JSON.parse(run.stdout()) as { data: unknown[] }).data).to.not.be.empty;
    const lines = run.stderr().trimEnd().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      new RegExp(
        `^rollout-engine: indexed thread ${g.threadId} only \\(1 file, [\\d.]+ MB in \\d+\\.\\d s\\); the rest of ${g.home} is indexed when a command needs it`,
      ),
    );
  });

  it('a later call has nothing long to say; --quiet silences even a first build', async () => {
    const later = runCli(['turns', g.threadId, '--codex-home', g.home, '--json']);
    expect(await later.exited).to.equal(0);
    expect(later.stderr()).to.equal('');
    const quiet = runCli([
      'threads',
      '--codex-home',
      g.home,
      '--index-dir',
      nodePath.join(tmp(), 'quiet-index'),
      '--json',
      '--quiet',
    ]);
    expect(await quiet.exited).to.equal(0);
    expect(quiet.stderr()).to.equal('');
    expect(JSON.parse(quiet.stdout())).to.have.property('data');
  });

  it('serve: stdout carries only JSON-RPC; the first build (behind the answers) goes to stderr', async () => {
    const input = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 't', version: '1' } } },
      { jsonrpc: '2.0', id: 2, method: 'thread/list', params: { limit: 5 } },
    ];
    const run = runCli(
      ['serve', '--codex-home', g.home, '--index-dir', nodePath.join(tmp(), 'serve-index')],
      input.map((m) => `${JSON.stringify(m)}\n`).join(''),
    );
    expect(await run.exited, run.stderr()).to.equal(0);
    const answers = run
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; result: unknown });
    expect(answers.map((a) => a.id)).to.deep.equal([1, 2]);
    expect((answers[1]!.result as { data: unknown[] }).data).to.have.length(5);
    // The build started behind the answers (said at once: it reads much); the input ended before it did. (serve's JSON log, which names each connection's Codex version, shares stderr.)
    expect(run.stderr()).to.match(/^rollout-engine: indexing .* \(\d+ files, [\d.]+ MB\)…\n/m);
  });

  it('a second process says whom it waits for (pid and host from the lease), answers meanwhile, then says the wait is over', async () => {
    const indexDir = nodePath.join(tmp(), 'held-index');
    held = await holdLease(indexDir, `${os.hostname()}:${process.pid}:test`, 'hold');
    const server = await serveOverStdio(g.home, { args: ['--index-dir', indexDir, '--gate-wait-ms', '500'] });
    let stderr = '';
    server.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    try {
      expect(await server.request('initialize', { clientInfo: { name: 't', version: '1' } })).to.have.property(
        'result',
      );
      expect(await server.request('thread/list', { limit: 5 })).to.have.nested.property('result.data.length', 5);
      while (!stderr.includes('still indexing after')) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stderr).to.contain(
        `rollout-engine: waiting for another rollout-engine (pid ${process.pid} on ${os.hostname()}) to finish indexing ${g.home}, up to 0.5 s…\n` +
          'rollout-engine: the other rollout-engine is still indexing after ',
      );
    } finally {
      await server.close();
    }
  });

  it('Ctrl-C (SIGINT) during a long step says what was interrupted and that it is safe, and exits 130', async () => {
    const indexDir = nodePath.join(tmp(), 'held-index-2');
    held = await holdLease(indexDir, `${os.hostname()}:${process.pid}:test`, 'hold');
    const run = runCli(['threads', '--codex-home', g.home, '--index-dir', indexDir, '--json']);
    await run.stderrMatches(/waiting for another rollout-engine/);
    run.child.kill('SIGINT');
    expect(await run.exited).to.equal(130);
    expect(run.stdout()).to.equal('');
    expect(run.stderr()).to.contain(
      `rollout-engine: interrupted while waiting for another rollout-engine (pid ${process.pid} on ${os.hostname()}) to finish indexing ${g.home}, up to 30 s. Nothing was changed.\n`,
    );
  });

  it('a build whose lease names a process that is gone (an interrupted run) is continued at once, not after the lease expires', async () => {
    const indexDir = nodePath.join(tmp(), 'orphan-index');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const crashed = await holdLease(indexDir, `${os.hostname()}:${gone}:test`, 'crash');
    await new Promise((resolve) => crashed.on('close', resolve));
    const t0 = Date.now();
    const run = runCli(['threads', '--codex-home', g.home, '--index-dir', indexDir, '--json']);
    expect(await run.exited, run.stderr()).to.equal(0);
    expect(run.stderr()).to.not.contain('waiting');
    expect(run.stderr()).to.match(/rollout-engine: indexed \d+ files/);
    expect(Date.now() - t0).to.be.below(25_000);
  });
});
