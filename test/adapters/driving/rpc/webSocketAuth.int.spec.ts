// `serve --listen ws:// --ws-auth …` refuses each upgrade as Codex does (status and words), and
// refuses to start as Codex does (webSocketAuth.compat.spec.ts runs the same cases against Codex).
import * as nodePath from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { ENGINE_CLI_PATH } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { EXIT } from '../../../../adapters/driving/cli/exitCodes.js';
import { spawnListening } from '../../../fixtures/listeningServer.js';
import { authServers, refusedStartups, runToExit, TOKEN, tryUpgrade } from './webSocketAuthCases.js';

describe('serve over WebSocket: auth', function () {
  this.timeout(120_000);
  const dirOf = useTempDir('serve-ws-auth-');
  // A new home beside the token files (`--new-home` makes it at the first start).
  const homeOf = (): string => nodePath.join(dirOf(), 'codex-home');
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });
  /** `serve --new-home` with `flags` on a port of its own; its port once ready. */
  const serveWith = async (flags: ReadonlyArray<string>): Promise<number> => {
    const started = await spawnListening(process.execPath, [
      ENGINE_CLI_PATH,
      'serve',
      '--codex-home',
      homeOf(),
      '--new-home',
      ...flags,
    ]);
    child = started.child;
    return started.port;
  };

  for (const index of [0, 1, 2])
    it(`answers each upgrade as Codex does: server ${index + 1} of 3`, async () => {
      const server = authServers(dirOf())[index]!;
      const port = await serveWith(server.flags);
      for (const c of server.cases)
        expect(await tryUpgrade(port, await c.headers()), `${server.label}: ${c.label}`).to.deep.equal(c.expected);
    });

  it("with --ws-auth, GET /metrics asks for the bearer token unless --metrics-public; /readyz, /healthz and the viewer's files stay open", async () => {
    const [tokenServer] = authServers(dirOf());
    const status = async (
      port: number,
      path: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: string }> => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
      return { status: r.status, body: await r.text() };
    };
    for (const metricsPublic of [false, true]) {
      const flags = [...tokenServer!.flags, ...(metricsPublic ? ['--metrics-public'] : [])];
      // At --log-level error the listener still says where it is bound (as Codex's banner does).
      const port = await serveWith(['--log-level', 'error', ...flags]);
      const scraped = await status(port, '/metrics', { Authorization: `Bearer ${TOKEN}` });
      expect(scraped.status, `public ${metricsPublic}: with the token`).to.equal(200);
      expect(scraped.body).to.contain('rollout_engine_');
      const anonymous = await status(port, '/metrics');
      const wrong = await status(port, '/metrics', { Authorization: 'Bearer wrong' });
      if (metricsPublic) {
        expect(anonymous.status, 'public: no token').to.equal(200);
        expect(wrong.status, 'public: a wrong token').to.equal(200);
      } else {
        expect(anonymous, 'no token').to.deep.equal({ status: 401, body: 'missing websocket bearer token' });
        expect(wrong, 'a wrong token').to.deep.equal({ status: 401, body: 'invalid websocket bearer token' });
      }
      for (const path of ['/readyz', '/healthz', '/viewer/'])
        expect((await status(port, path)).status, `public ${metricsPublic}: ${path}`).to.equal(200);
      child!.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
      child = undefined;
    }
  });

  it('refuses to start as Codex does (a non-loopback bind without auth, auth flags that do not go together), exit 2', async () => {
    for (const s of refusedStartups(dirOf())) {
      const { code, stderr } = await runToExit(
        process.execPath,
        [ENGINE_CLI_PATH, 'serve', '--codex-home', homeOf(), '--new-home', ...s.args],
        process.env,
      );
      expect(code, s.label).to.equal(EXIT.badRequest);
      expect(stderr, s.label).to.contain(s.message);
    }
  });
});
