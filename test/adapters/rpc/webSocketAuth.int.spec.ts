// `serve --listen ws:// --ws-auth …` refuses each upgrade as Codex does (status and words), and
// refuses to start as Codex does (webSocketAuth.compat.spec.ts runs the same cases against Codex).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { ENGINE_CLI_PATH } from '../../compat/engineCli.js';
import { useTempDir } from '../../fixtures/tempDir.js';
import { EXIT } from '../../../adapters/cli/exitCodes.js';
import { authServers, freePort, refusedStartups, runToExit, tryUpgrade, waitReady } from './webSocketAuthCases.js';

describe('serve over WebSocket: auth', function () {
  this.timeout(60_000);
  const dirOf = useTempDir('serve-ws-auth-');
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  for (const index of [0, 1, 2])
    it(`answers each upgrade as Codex does: server ${index + 1} of 3`, async () => {
      const server = authServers(dirOf())[index]!;
      const port = await freePort();
      child = spawn(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', dirOf(), '--listen', `ws://127.0.0.1:${port}`, ...server.flags], { stdio: 'ignore' });
      await waitReady(port, child);
      for (const c of server.cases) expect(await tryUpgrade(port, await c.headers()), `${server.label}: ${c.label}`).to.deep.equal(c.expected);
    });

  it('refuses to start as Codex does (a non-loopback bind without auth, auth flags that do not go together), exit 2', async () => {
    const port = await freePort();
    for (const s of refusedStartups(dirOf(), port)) {
      const { code, stderr } = await runToExit(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', dirOf(), ...s.args], process.env);
      expect(code, s.label).to.equal(EXIT.badRequest);
      expect(stderr, s.label).to.contain(s.message);
    }
  });
});
