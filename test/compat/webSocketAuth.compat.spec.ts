// The WebSocket auth cases against the real `codex app-server --listen ws://127.0.0.1:PORT` and
// ours: every upgrade answered alike (status and body), every refused start-up said alike.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { useTempDir } from '../fixtures/tempDir.js';
import { appServerEnv, resolveCodexCommand, writeCodexConfig } from './appServer.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { authServers, refusedStartups, runToExit, tryUpgrade } from '../adapters/driving/rpc/webSocketAuthCases.js';
import { spawnListening } from '../fixtures/listeningServer.js';
import type { Outcome } from '../adapters/driving/rpc/webSocketAuthCases.js';

describe('WebSocket auth: ours as codex app-server', function () {
  this.timeout(120_000);
  const dirOf = useTempDir('ws-auth-compat-');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  const codexHome = (): string => join(dirOf(), 'codex-home');
  const codex = resolveCodexCommand();
  const env = (): NodeJS.ProcessEnv => {
    writeCodexConfig(codexHome(), 9);
    return appServerEnv({ codexHome: codexHome() });
  };

  /** Start a server with these flags on a port of its own; the upgrade outcomes of `cases` once ready. */
  const outcomes = async (
    kind: 'codex' | 'ours',
    flags: string[],
    headers: Array<() => Promise<Record<string, string>>>,
  ): Promise<Outcome[]> => {
    const { child, port } =
      kind === 'codex'
        ? await spawnListening(codex.file, [...codex.args, 'app-server', ...flags], { env: env() })
        : await spawnListening(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', codexHome(), ...flags]);
    children.push(child);
    const got: Outcome[] = [];
    for (const h of headers) got.push(await tryUpgrade(port, await h()));
    child.kill('SIGTERM');
    return got;
  };

  for (const index of [0, 1, 2])
    it(`answers every upgrade as Codex does: server ${index + 1} of 3`, async () => {
      const server = authServers(dirOf())[index]!;
      const headers = server.cases.map((c) => c.headers);
      const [theirs, ours] = [
        await outcomes('codex', server.flags, headers),
        await outcomes('ours', server.flags, headers),
      ];
      const labelled = (o: Outcome[]) => Object.fromEntries(server.cases.map((c, i) => [c.label, o[i]]));
      expect(labelled(ours)).to.deep.equal(labelled(theirs));
      expect(labelled(theirs)).to.deep.equal(Object.fromEntries(server.cases.map((c) => [c.label, c.expected])));
    });

  it('refuses the same start-ups with the same words', async () => {
    for (const s of refusedStartups(dirOf())) {
      const theirs = await runToExit(codex.file, [...codex.args, 'app-server', ...s.args], env());
      const ours = await runToExit(
        process.execPath,
        [ENGINE_CLI_PATH, 'serve', '--codex-home', codexHome(), ...s.args],
        process.env,
      );
      expect(theirs.code, `codex: ${s.label}`).to.not.equal(0);
      expect(theirs.stderr, `codex: ${s.label}`).to.contain(s.message);
      expect(ours.code, `ours: ${s.label}`).to.not.equal(0);
      expect(ours.stderr, `ours: ${s.label}`).to.contain(s.message);
    }
  });
});
