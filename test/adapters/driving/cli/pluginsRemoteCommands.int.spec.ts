import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { runEngineCli } from '../../../compat/engineCli.js';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { bundleOf, startPluginBackend } from '../../../fixtures/pluginBackend.js';
import type { FakePluginBackend } from '../../../fixtures/pluginBackend.js';
import { ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV } from '../../../../adapters/driven/plugins/remoteBundleFetcher.js';

const LINEAR = 'plugins~Plugin_linear0001';
const SIDECAR = `{\n  "schema_version": 1,\n  "remote_plugin_id": "${LINEAR}"\n}\n`;
const ENV = { [ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV]: '1' };

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

describe('rollout-engine plugins install --remote-marketplace | sync | uninstall, and serve at start (a local HTTP backend)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('plugins-remote-cli-');
  let backend: FakePluginBackend;
  let home: string;
  const sidecar = () =>
    nodePath.join(home, 'plugins/cache/openai-curated-remote/linear/.codex-remote-plugin-install.json');
  const cli = (args: string[], env: NodeJS.ProcessEnv = ENV) =>
    runEngineCli(['plugins', ...args, '--codex-home', home], 30_000, env);

  beforeEach(async () => {
    backend = await startPluginBackend();
    home = await fs.mkdtemp(nodePath.join(tmp(), 'home-'));
    await fs.writeFile(
      nodePath.join(home, 'auth.json'),
      JSON.stringify({ tokens: { access_token: 'token-1', account_id: 'acct-1' } }),
    );
    backend.bundles.set(
      '/bundles/linear.tar.gz',
      await bundleOf(await fs.mkdtemp(nodePath.join(tmp(), 'src-')), {
        '.codex-plugin/plugin.json': JSON.stringify({ name: 'linear', version: '1.2.3' }),
      }),
    );
    backend.plugins.push({
      id: LINEAR,
      name: 'linear',
      scope: 'GLOBAL',
      bundlePath: '/bundles/linear.tar.gz',
      version: '1.2.3',
      installed: false,
    });
  });
  afterEach(() => backend.close());

  it('installs from the backend (--chatgpt-base-url), syncs a deleted sidecar back, uninstalls; --json and plain output', async () => {
    const installed = await cli([
      'install',
      '--remote-marketplace',
      'openai-curated-remote',
      LINEAR,
      '--chatgpt-base-url',
      backend.baseUrl,
      '--json',
    ]);
    expect(installed.exitCode, installed.stderr).to.equal(0);
    expect(JSON.parse(installed.stdout)).to.deep.equal({ authPolicy: 'ON_USE', appsNeedingAuth: [] });
    expect(await fs.readFile(sidecar(), 'utf8')).to.equal(SIDECAR);

    await fs.rm(sidecar());
    const synced = await cli(['sync', '--chatgpt-base-url', backend.baseUrl, '--json']);
    expect(synced.exitCode, synced.stderr).to.equal(0);
    expect(JSON.parse(synced.stdout)).to.deep.equal({
      installedPluginIds: [],
      backfilledPluginIds: ['linear@openai-curated-remote'],
      removedCachePluginIds: [],
      failedRemotePluginIds: [],
    });
    expect(await fs.readFile(sidecar(), 'utf8')).to.equal(SIDECAR);

    const again = await cli(['sync', '--chatgpt-base-url', backend.baseUrl]);
    expect(again.exitCode, again.stderr).to.equal(0);
    expect(again.stdout.trim()).to.equal('installed: -\nsidecar restored: -\nremoved: -\nfailed: -');

    // By the backend id: the backend is told, the cache root goes.
    const removed = await cli(['uninstall', LINEAR, '--chatgpt-base-url', backend.baseUrl]);
    expect(removed.exitCode, removed.stderr).to.equal(0);
    expect(await exists(nodePath.join(home, 'plugins/cache/openai-curated-remote/linear'))).to.equal(false);
    expect(backend.seen.at(-1)).to.include({ method: 'POST', url: `/backend-api/ps/plugins/${LINEAR}/uninstall` });
  });

  it('says clearly what is wrong: no login, an unreachable backend, a missing argument', async () => {
    // Signed out: a home with its config.toml and no auth.json.
    await fs.writeFile(nodePath.join(home, 'config.toml'), 'model = "gpt-5"\n');
    await fs.rm(nodePath.join(home, 'auth.json'));
    const noAuth = await cli(['sync', '--chatgpt-base-url', backend.baseUrl]);
    expect(noAuth.exitCode).to.not.equal(0);
    expect(noAuth.stderr).to.include('chatgpt authentication required for remote plugin catalog');
    await fs.writeFile(nodePath.join(home, 'auth.json'), JSON.stringify({ tokens: { access_token: 'token-1' } }));
    const down = await cli([
      'install',
      '--remote-marketplace',
      'openai-curated-remote',
      LINEAR,
      '--chatgpt-base-url',
      'http://127.0.0.1:9/backend-api/',
      '--json',
    ]);
    expect(down.exitCode).to.not.equal(0);
    expect(down.stdout + down.stderr).to.include(
      'failed to send remote plugin catalog request to http://127.0.0.1:9/backend-api/ps/plugins/',
    );
    const missing = await cli(['install', nodePath.join(home, 'marketplace.json')]);
    expect(missing.exitCode).to.equal(2);
    expect(missing.stderr).to.include('<pluginName>');
    expect(await exists(nodePath.join(home, 'plugins'))).to.equal(false);
  });

  it('serve restores the deleted sidecar of a current remote bundle at start, and installs through plugin/install with remoteMarketplaceName', async () => {
    await fs.writeFile(nodePath.join(home, 'config.toml'), `chatgpt_base_url = ${JSON.stringify(backend.baseUrl)}\n`);
    const server = await initializedServe(home, {
      clientInfo: { name: 'remote-plugins', version: '1' },
      env: { ...process.env, ...ENV },
      initialized: false,
    });
    try {
      const r = (await server.request('plugin/install', {
        remoteMarketplaceName: 'openai-curated-remote',
        pluginName: LINEAR,
      })) as { result?: unknown };
      expect(r.result, JSON.stringify(r)).to.deep.equal({ authPolicy: 'ON_USE', appsNeedingAuth: [] });
      expect(await fs.readFile(sidecar(), 'utf8')).to.equal(SIDECAR);
    } finally {
      await server.close();
    }
    await fs.rm(sidecar());
    const stale = nodePath.join(home, 'plugins/cache/openai-curated-remote/old/1.0.0');
    await fs.mkdir(stale, { recursive: true });
    const restarted = await initializedServe(home, {
      clientInfo: { name: 'remote-plugins', version: '1' },
      env: { ...process.env, ...ENV },
      initialized: false,
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!(await exists(sidecar())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await fs.readFile(sidecar(), 'utf8')).to.equal(SIDECAR);
      while ((await exists(stale)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await exists(stale)).to.equal(false);
    } finally {
      await restarted.close();
    }
  });
});
