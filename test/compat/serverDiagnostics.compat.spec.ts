// `server/diagnostics` of the real `codex app-server` 0.169.0 and of `rollout-engine serve` on the
// same home, over stdio: the same refusal without the experimental capability, and with it the
// same shape — process id, resident memory, footprint, gauges by name — normalising only the
// values, which are the process's own (its pid, its memory, its requests at that moment).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { codexPidOf, compatCodexVersion, resolveCodexCommand, writeCodexConfig } from './appServer.js';
import { handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';

/** The answer with each number replaced by its type, and each gauge by its name. */
const shapeOf = (a: RpcAnswer): unknown =>
  'error' in a
    ? a
    : JSON.parse(
        JSON.stringify(a.result, (key, v: unknown) =>
          key === 'gauges' ? (v as Array<{ name: string }>).map((g) => g.name) : typeof v === 'number' ? 'number' : v,
        ),
      );

const diagnosticsOf = async (server: StdioRpcClient, experimental: boolean): Promise<RpcAnswer> => {
  await handshake(server, {
    clientInfo: { name: 'compat', version: '1' },
    ...(experimental ? { capabilities: { experimentalApi: true } } : {}),
  });
  return server.request('server/diagnostics', {});
};

describe(`server/diagnostics: rollout-engine serve answers as codex app-server ${compatCodexVersion()} does`, function () {
  this.timeout(120_000);
  let root: string;
  let codexHome: string;
  const servers: StdioRpcClient[] = [];
  const codex = (): StdioRpcClient => {
    const command = resolveCodexCommand();
    const s = spawnAppServerRpc(command, codexHome);
    servers.push(s);
    return s;
  };
  const ours = async (): Promise<StdioRpcClient> => {
    const s = await serveOverStdio(codexHome);
    servers.push(s);
    return s;
  };

  before(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'diag-compat-'));
    codexHome = nodePath.join(root, 'codex-home');
    // No model is asked: the mock's port is never dialled.
    writeCodexConfig(codexHome, 9);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('refuses a client without experimentalApi with the same error', async () => {
    const [theirs, mine] = await Promise.all([diagnosticsOf(codex(), false), diagnosticsOf(await ours(), false)]);
    expect(theirs).to.deep.equal({
      error: { code: -32600, message: 'server/diagnostics requires experimentalApi capability' },
    });
    expect(mine).to.deep.equal(theirs);
  });

  it('answers the same shape: the process (its pid, resident memory, null footprint on Linux) and every gauge Codex names', async () => {
    const codexServer = codex();
    const ourServer = await ours();
    const [theirs, mine] = await Promise.all([diagnosticsOf(codexServer, true), diagnosticsOf(ourServer, true)]);
    const theirShape = shapeOf(theirs) as { process: unknown; gauges: string[] };
    const ourShape = shapeOf(mine) as { process: unknown; gauges: string[] };
    expect(ourShape.process).to.deep.equal(theirShape.process);
    expect(ourShape.gauges).to.include.members(theirShape.gauges);
    const pid = (a: RpcAnswer) => (a as { result: { process: { id: number } } }).result.process.id;
    expect(pid(theirs)).to.equal(codexPidOf(codexServer.child.pid!, resolveCodexCommand()));
    expect(pid(mine)).to.equal(ourServer.child.pid);
    // Both count the diagnostics request itself as in flight (Codex's own test allows its startup to be counted too).
    const inFlight = (a: RpcAnswer) =>
      (a as { result: { gauges: Array<{ name: string; value: number }> } }).result.gauges.find(
        (g) => g.name === 'app.requests.in_flight',
      )?.value;
    expect(inFlight(mine)).to.equal(1);
    expect([1, 2]).to.include(inFlight(theirs));
  });
});
