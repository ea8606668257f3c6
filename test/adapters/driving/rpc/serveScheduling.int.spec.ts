// `rollout-engine serve` schedules real methods as Codex's request_serialization does: requests
// sent at once on one thread run in order (a read after a rollback sees it), the ingress is
// bounded, server/diagnostics answers in Codex's shape, and SIGTERM drains and exits cleanly.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';

const P = 'ffffffff-0000-7000-8000-0000000000a1';
const Q = 'ffffffff-0000-7000-8000-0000000000a2';

const turnsOf = (a: RpcAnswer): number =>
  ((a as { result: { thread: { turns: unknown[] } } }).result.thread.turns ?? []).length;

describe('rollout-engine serve: scheduling of real methods', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'serve-sched-'));
    writeRollout(home, rolloutName(P), chatThread('paginated', P, 3).text());
    writeRollout(home, rolloutName(Q), chatThread('legacy', Q, 3).text());
    server = await initializedServe(home, {
      capabilities: { experimentalApi: true },
    });
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs the requests sent at once on one thread in order: each read sees the rollbacks sent before it; list and pages run beside them', async () => {
    for (const thread of [P, Q]) {
      // All sent before any answer comes.
      const answers = [
        server.request('thread/read', { threadId: thread, includeTurns: true }),
        server.request('thread/rollback', { threadId: thread, numTurns: 1 }),
        server.request('thread/list', {}),
        server.request('thread/read', { threadId: thread, includeTurns: true }),
        server.request('thread/turns/list', { threadId: thread }),
        server.request('thread/rollback', { threadId: thread, numTurns: 1 }),
        server.request('thread/read', { threadId: thread, includeTurns: true }),
      ];
      const [read3, rolled2, list, read2, , rolled1, read1] = await Promise.all(answers);
      expect(
        [turnsOf(read3!), turnsOf(rolled2!), turnsOf(read2!), turnsOf(rolled1!), turnsOf(read1!)],
        thread,
      ).to.deep.equal([3, 2, 2, 1, 1]);
      expect(list).to.have.nested.property('result.data');
    }
  });

  it('server/diagnostics answers in the shape Codex 0.169.0 generates (ServerDiagnosticsResponse), with its in-flight gauge', async () => {
    const diag = await server.typed.request('server/diagnostics', {});
    expect(Object.keys(diag)).to.deep.equal(['process', 'gauges']);
    expect(diag.process).to.deep.equal({
      id: server.child.pid,
      residentMemoryBytes: diag.process.residentMemoryBytes,
      physicalFootprintBytes: null,
    });
    // serve's RSS: a measure, not a count.
    expect(diag.process.residentMemoryBytes)
      .to.be.a('number')
      .above(1 << 20);
    expect(diag.gauges.find((g) => g.name === 'app.requests.in_flight')).to.deep.equal({
      name: 'app.requests.in_flight',
      value: 1,
    });
  });

  it('refuses what is over --max-requests-per-connection with -32001 and codex_error_info while the first request waits for the home', async () => {
    const lines = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 't', version: '1' } } },
      ...[2, 3, 4, 5].map((id) => ({ jsonrpc: '2.0', id, method: 'thread/list', params: {} })),
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [ENGINE_CLI_PATH, 'serve', '--codex-home', home, '--max-requests-per-connection', '1'],
        {
          stdio: ['pipe', 'pipe', 'ignore'],
        },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
      child.on('error', reject);
      child.on('exit', () => resolve(text));
      child.stdin.end(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    });
    const answers = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; result?: unknown; error?: unknown });
    expect(answers.map((a) => a.id).sort()).to.deep.equal([1, 2, 3, 4, 5]);
    expect(answers.find((a) => a.id === 2)).to.have.nested.property('result.data');
    for (const id of [3, 4, 5])
      expect(answers.find((a) => a.id === id)!.error).to.deep.equal({
        code: -32001,
        message: 'Server overloaded; retry later.',
        data: { codex_error_info: 'server_overloaded' },
      });
  });

  it('SIGTERM: serve stops reading, closes its home and exits 0', async () => {
    const s = await initializedServe(home, { clientInfo: { name: 't', version: '1' }, initialized: false });
    expect(await s.request('thread/list', {})).to.have.nested.property('result.data');
    const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
    s.child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    await s.close();
  });
});
