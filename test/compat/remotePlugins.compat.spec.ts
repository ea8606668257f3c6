// Remote plugin install and the startup sync of the real `codex app-server` 0.169.0 and of
// `rollout-engine` against the same ChatGPT plugin backend: a local https server (node `https`,
// a CA and a 127.0.0.1 certificate made with openssl in the test; Codex trusts it through
// CODEX_CA_CERTIFICATE, our CLI through NODE_EXTRA_CA_CERTS — real Codex downloads bundles over
// https only). Each home gets `chatgpt_base_url` in config.toml and a ChatGPT login in auth.json
// (an unsigned JWT: Codex reads its claims, nothing verifies it offline). The `plugins/` trees —
// paths, kinds, modes and bytes — must be equal; nothing is normalised.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import { AppServer, codexConfigToml, stopAllAppServers } from './appServer.js';
import { runEngineCli } from './engineCli.js';
import { bundleOf, startPluginBackend } from '../fixtures/pluginBackend.js';
import type { FakePluginBackend } from '../fixtures/pluginBackend.js';
import { useTempDir } from '../fixtures/tempDir.js';

/** The test's CA and certificate are made with the openssl CLI; `npm test` installs it first (test/setup/ensureOpenssl.sh). */
const HAVE_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

const LINEAR = 'plugins~Plugin_linear0001';

/** A CA and a certificate for 127.0.0.1 it signed (rustls refuses a self-signed leaf that is its own CA). */
const makeCertificates = (dir: string) => {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=rollout-engine test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  return fs.writeFile(nodePath.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n').then(() => {
    ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert.pem', '-days', '2', '-extfile', 'ext.cnf');
    return { ca: nodePath.join(dir, 'ca.pem'), key: nodePath.join(dir, 'key.pem'), cert: nodePath.join(dir, 'cert.pem') };
  });
};

/** Every entry under a folder: path, kind, permission bits, and a file's bytes. */
const treeOf = async (dir: string): Promise<Array<[string, string, string, string]>> => {
  const out: Array<[string, string, string, string]> = [];
  // A recursive listing fails when a folder goes while it is walked (Codex's startup sync removing a
  // stale cache root): walked again until one walk sees a tree that holds still.
  const listed = async (tries = 20): Promise<Dirent[]> => {
    try {
      return await fs.readdir(dir, { withFileTypes: true, recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || tries <= 1) throw err;
      await new Promise((r) => setTimeout(r, 50));
      return listed(tries - 1);
    }
  };
  for (const e of await listed()) {
    const path = nodePath.join(e.parentPath, e.name);
    const stat = await fs.lstat(path).catch(() => null); // removed while we looked (Codex's sync at work)
    if (stat === null) continue;
    const mode = (stat.mode & 0o777).toString(8);
    out.push([
      nodePath.relative(dir, path),
      e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other',
      mode,
      e.isFile() ? await fs.readFile(path, 'utf8').catch(() => '') : '',
    ]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
};

describe('compat · remote plugin install, startup sync and uninstall against real codex 0.169.0 (local https backend)', function () {
  this.timeout(180_000);
  const tmp = useTempDir('compat-remote-plugins-');
  let backend: FakePluginBackend;
  let ca: string;

  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ email: 'u@example.com', 'https://api.openai.com/auth': { chatgpt_plan_type: 'plus', chatgpt_account_id: 'acct-1', chatgpt_user_id: 'user-1' } })}.sig`;
  const makeHome = async (name: string): Promise<string> => {
    const home = nodePath.join(tmp(), name);
    await fs.mkdir(home, { recursive: true });
    const config = codexConfigToml(9).replace('plugins = false', 'plugins = true').replace('remote_plugin = false', 'remote_plugin = true');
    await fs.writeFile(nodePath.join(home, 'config.toml'), `chatgpt_base_url = ${JSON.stringify(backend.baseUrl)}\n${config}`);
    await fs.writeFile(
      nodePath.join(home, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { id_token: jwt, access_token: jwt, refresh_token: 'r', account_id: 'acct-1' },
        last_refresh: new Date().toISOString(),
      }),
    );
    return home;
  };
  const codex = (home: string) => AppServer.start({ codexHome: home, extraEnv: { CODEX_CA_CERTIFICATE: ca } });
  const ours = (home: string, args: string[]) => runEngineCli(['plugins', ...args, '--codex-home', home], 60_000, { NODE_EXTRA_CA_CERTS: ca });

  before(async function () {
    if (!HAVE_OPENSSL) {
      process.stderr.write('    skipped: openssl is not installed (apt-get install openssl; npm test installs it when it can)\n');
      this.skip();
    }
    const certs = await makeCertificates(tmp());
    ca = certs.ca;
    backend = await startPluginBackend({ key: await fs.readFile(certs.key, 'utf8'), cert: await fs.readFile(certs.cert, 'utf8') });
    backend.bundles.set(
      '/bundles/linear.tar.gz',
      await bundleOf(nodePath.join(tmp(), 'src'), {
        '.codex-plugin/plugin.json': JSON.stringify({ name: 'linear', version: '0.1.0', description: 'Linear issues' }),
        'skills/triage/SKILL.md': '---\nname: triage\ndescription: triage issues\n---\nTriage.\n',
        '.mcp.json': JSON.stringify({ mcpServers: { linear: { command: 'true' } } }),
      }),
    );
    backend.plugins.push({ id: LINEAR, name: 'linear', scope: 'GLOBAL', bundlePath: '/bundles/linear.tar.gz', version: '1.2.3', installed: false });
  });
  after(async () => {
    await stopAllAppServers();
    await backend?.close();
  });

  it('plugin/install of a remote plugin: the same answer and the same plugins/ tree (bundle at the release version, 0600 sidecar)', async () => {
    const theirs = await makeHome('codex-home');
    const mine = await makeHome('engine-home');
    const server = await codex(theirs);
    let answer: unknown;
    try {
      answer = await server.request('plugin/install', { remoteMarketplaceName: 'openai-curated-remote', pluginName: LINEAR }, 60_000);
    } finally {
      await server.stop();
    }
    const run = await ours(mine, ['install', '--remote-marketplace', 'openai-curated-remote', LINEAR, '--json']);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(answer);
    const expected = await treeOf(nodePath.join(theirs, 'plugins'));
    expect(expected.map((e) => e[0])).to.include('cache/openai-curated-remote/linear/.codex-remote-plugin-install.json');
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(expected);

    // The startup sync on both: a current bundle's deleted sidecar, a stale remote root.
    for (const home of [theirs, mine]) {
      await fs.rm(nodePath.join(home, 'plugins/cache/openai-curated-remote/linear/.codex-remote-plugin-install.json'));
      await fs.mkdir(nodePath.join(home, 'plugins/cache/openai-curated-remote/old/1.0.0'), { recursive: true });
    }
    const restarted = await codex(theirs);
    try {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const tree = (await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0]);
        if (!tree.includes('cache/openai-curated-remote/old') && tree.includes('cache/openai-curated-remote/linear/.codex-remote-plugin-install.json')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await restarted.stop();
    }
    // What Codex did at start: the sidecar back, the stale root gone.
    const codexAfter = (await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0]);
    expect(codexAfter).to.include('cache/openai-curated-remote/linear/.codex-remote-plugin-install.json');
    expect(codexAfter).to.not.include('cache/openai-curated-remote/old');
    const synced = await ours(mine, ['sync', '--json']);
    expect(synced.exitCode, synced.stderr).to.equal(0);
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(await treeOf(nodePath.join(theirs, 'plugins')));

    // plugin/uninstall by the backend id on both: the same answer, the same tree.
    const again = await codex(theirs);
    let uninstalled: unknown;
    try {
      uninstalled = await again.request('plugin/uninstall', { pluginId: LINEAR }, 60_000);
    } finally {
      await again.stop();
    }
    const ourUninstall = await ours(mine, ['uninstall', LINEAR, '--json']);
    expect(ourUninstall.exitCode, ourUninstall.stderr).to.equal(0);
    expect(JSON.parse(ourUninstall.stdout)).to.deep.equal(uninstalled);
    expect((await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0])).to.not.include('cache/openai-curated-remote/linear');
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(await treeOf(nodePath.join(theirs, 'plugins')));
  });
});
