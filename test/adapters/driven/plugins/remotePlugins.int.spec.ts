import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as tar from 'tar';
import { ANALYTICS_EVENTS_CAPTURE_FILE_ENV } from '../../../../adapters/driven/analytics/captureSink.js';
import { ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV } from '../../../../adapters/driven/plugins/remoteBundleFetcher.js';
import { homePluginPorts } from '../../../../adapters/driven/plugins/homeRemotePlugins.js';
import { REMOTE_GLOBAL_MARKETPLACE_NAME as REMOTE_MARKETPLACE } from '../../../../domain/plugins/remoteCatalog.js';
import { bundleOf, startPluginBackend } from '../../../fixtures/pluginBackend.js';
import type { FakePluginBackend } from '../../../fixtures/pluginBackend.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { right } from '../../../fixtures/right.js';

const LINEAR = 'plugins~Plugin_linear0001';
/** The sidecar as Codex writes it (`store.rs` `write_remote_plugin_id`: pretty JSON, newline). */
const sidecarText = (id: string) => `{\n  "schema_version": 1,\n  "remote_plugin_id": "${id}"\n}\n`;

const exists = (p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );
const listTree = async (dir: string): Promise<string[]> => {
  if (!(await exists(dir))) return [];
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    out.push(nodePath.relative(dir, nodePath.join(e.parentPath, e.name)));
  return out.sort();
};

describe('remote plugins: install from the backend, startup sync (a local HTTP backend)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('remote-plugins-');
  let backend: FakePluginBackend;
  let home: string;
  let capture: string;
  let env: NodeJS.ProcessEnv;
  const cache = (...rel: string[]) => nodePath.join(home, 'plugins', 'cache', ...rel);

  beforeEach(async () => {
    backend = await startPluginBackend();
    home = await fs.mkdtemp(nodePath.join(tmp(), 'home-'));
    capture = nodePath.join(home, 'capture.jsonl');
    env = { [ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV]: '1', [ANALYTICS_EVENTS_CAPTURE_FILE_ENV]: capture };
    await fs.writeFile(
      nodePath.join(home, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { id_token: 'x', access_token: 'token-1', refresh_token: 'r', account_id: 'acct-1' },
      }),
    );
    // The backend comes from config.toml's chatgpt_base_url, as Codex reads it.
    await fs.writeFile(nodePath.join(home, 'config.toml'), `chatgpt_base_url = ${JSON.stringify(backend.baseUrl)}\n`);
    backend.bundles.set(
      '/bundles/linear-1.2.3.tar.gz',
      await bundleOf(await fs.mkdtemp(nodePath.join(tmp(), 'src-')), {
        '.codex-plugin/plugin.json': JSON.stringify({ name: 'linear', version: '0.0.1-bundle', description: 'Linear' }),
        'skills/triage/SKILL.md': '---\nname: triage\ndescription: triage issues\n---\n',
        '.mcp.json': JSON.stringify({ mcpServers: { linear: { command: 'true' } } }),
      }),
    );
    backend.plugins.push({
      id: LINEAR,
      name: 'linear',
      scope: 'GLOBAL',
      bundlePath: '/bundles/linear-1.2.3.tar.gz',
      version: '1.2.3',
      installed: false,
    });
  });
  afterEach(() => backend.close());

  const install = (id = LINEAR) =>
    homePluginPorts(home, {}, env).installRemote({ remoteMarketplaceName: REMOTE_MARKETPLACE, pluginName: id })();
  const sync = () => homePluginPorts(home, {}, env).syncRemote();
  const events = async () =>
    (await exists(capture))
      ? (await fs.readFile(capture, 'utf8'))
          .trim()
          .split('\n')
          .map(
            (l) =>
              (JSON.parse(l) as { events: Array<{ event_type: string; event_params: Record<string, unknown> }> })
                .events[0]!,
          )
      : [];

  it('installs a remote plugin as Codex lays it out: bundle at the release version, sidecar 0600, the installed event with the remote id', async () => {
    expect(right(await install())).to.deep.equal({ authPolicy: 'ON_USE', appsNeedingAuth: [] });
    expect(await listTree(cache('openai-curated-remote'))).to.deep.equal([
      'linear',
      'linear/.codex-remote-plugin-install.json',
      'linear/1.2.3',
      'linear/1.2.3/.codex-plugin',
      'linear/1.2.3/.codex-plugin/plugin.json',
      'linear/1.2.3/.mcp.json',
      'linear/1.2.3/skills',
      'linear/1.2.3/skills/triage',
      'linear/1.2.3/skills/triage/SKILL.md',
    ]);
    const sidecar = cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json');
    expect(await fs.readFile(sidecar, 'utf8')).to.equal(sidecarText(LINEAR));
    expect((await fs.stat(sidecar)).mode & 0o777).to.equal(0o600);
    // GLOBAL (openai-curated-remote): the release version is written into the manifest.
    expect(
      JSON.parse(
        await fs.readFile(cache('openai-curated-remote', 'linear', '1.2.3', '.codex-plugin', 'plugin.json'), 'utf8'),
      ),
    ).to.deep.equal({
      name: 'linear',
      version: '1.2.3',
      description: 'Linear',
    });
    // The staging root stays, empty, as Codex leaves it.
    expect(await fs.readdir(nodePath.join(home, 'plugins', '.remote-plugin-install-staging'))).to.deep.equal([]);
    expect(backend.seen.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
      `GET /backend-api/ps/plugins/${LINEAR}?includeDownloadUrls=true`,
      'GET /bundles/linear-1.2.3.tar.gz',
      `POST /backend-api/ps/plugins/${LINEAR}/install?includeAppsNeedingAuth=true`,
    ]);
    for (const r of backend.seen.filter((s) => s.url.startsWith('/backend-api')))
      expect(r).to.include({ authorization: 'Bearer token-1', accountId: 'acct-1' });
    const [installed, ...rest] = await events();
    expect(rest).to.deep.equal([]);
    expect(installed!.event_type).to.equal('codex_plugin_installed');
    // The override rule: remote install reports the backend's id as plugin_id; the capability summary is the bundle's.
    expect(installed!.event_params).to.deep.include({
      plugin_id: LINEAR,
      plugin_name: 'linear',
      marketplace_name: 'openai-curated-remote',
      has_skills: true,
      mcp_server_count: 1,
    });
  });

  it('a download that fails, or an archive that is not a plugin bundle, is a typed error and leaves the cache and staging as they were', async () => {
    right(await install());
    const before = await listTree(cache());
    const beforeManifest = await fs.readFile(
      cache('openai-curated-remote', 'linear', '1.2.3', '.codex-plugin', 'plugin.json'),
      'utf8',
    );
    const eventsBefore = (await events()).length;

    backend.plugins[0] = { ...backend.plugins[0]!, version: '1.3.0', bundlePath: '/bundles/linear-1.3.0.tar.gz' };
    backend.failBundle.set('/bundles/linear-1.3.0.tar.gz', 503);
    const failed = await install();
    expect(E.isLeft(failed) && failed.left).to.deep.include({ _tag: 'Rejected' });
    expect(E.isLeft(failed) && (failed.left as { reason: string }).reason).to.match(
      /^remote plugin bundle download from http:\/\/127\.0\.0\.1:\d+\/bundles\/linear-1\.3\.0\.tar\.gz failed with status 503 Service Unavailable: bundle storage unavailable$/,
    );

    backend.failBundle.clear();
    backend.bundles.set('/bundles/linear-1.3.0.tar.gz', Buffer.from('not a tar.gz'));
    const bad = await install();
    expect(E.isLeft(bad) && bad.left._tag).to.equal('Corrupt');
    expect(E.isLeft(bad) && (bad.left as { reason: string }).reason).to.include('failed to read plugin bundle tar');

    backend.bundles.set(
      '/bundles/linear-1.3.0.tar.gz',
      await bundleOf(await fs.mkdtemp(nodePath.join(tmp(), 'src-')), { 'README.md': 'no manifest' }),
    );
    const noRoot = await install();
    expect(E.isLeft(noRoot) && (noRoot.left as { reason: string }).reason).to.equal(
      'remote plugin bundle did not contain a standard plugin root with plugin.json',
    );

    // An entry out of the extraction root ('../evil.txt') refuses the whole archive.
    const outside = await fs.mkdtemp(nodePath.join(tmp(), 'outside-'));
    await fs.mkdir(nodePath.join(outside, 'root', '.codex-plugin'), { recursive: true });
    await fs.writeFile(nodePath.join(outside, 'evil.txt'), 'evil');
    await fs.writeFile(nodePath.join(outside, 'root', '.codex-plugin', 'plugin.json'), '{"name":"linear"}');
    const chunks: Buffer[] = [];
    for await (const c of tar.c({ gzip: true, cwd: nodePath.join(outside, 'root'), preservePaths: true }, [
      '.codex-plugin/plugin.json',
      '../evil.txt',
    ]) as unknown as AsyncIterable<Buffer>)
      chunks.push(Buffer.from(c));
    backend.bundles.set('/bundles/linear-1.3.0.tar.gz', Buffer.concat(chunks));
    const escaping = await install();
    expect(E.isLeft(escaping) && escaping.left).to.deep.include({ _tag: 'Corrupt' });
    expect(E.isLeft(escaping) && (escaping.left as { reason: string }).reason).to.match(
      /^failed to unpack plugin bundle tar: .*\.\./,
    );
    expect(await exists(nodePath.join(home, 'plugins', 'evil.txt'))).to.equal(false);

    expect(await listTree(cache())).to.deep.equal(before);
    expect(
      await fs.readFile(cache('openai-curated-remote', 'linear', '1.2.3', '.codex-plugin', 'plugin.json'), 'utf8'),
    ).to.equal(beforeManifest);
    expect(
      await fs.readFile(cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json'), 'utf8'),
    ).to.equal(sidecarText(LINEAR));
    expect(await fs.readdir(nodePath.join(home, 'plugins', '.remote-plugin-install-staging'))).to.deep.equal([]);
    expect((await events()).length).to.equal(eventsBefore);
  });

  it('refuses without a ChatGPT login, and a plain-http bundle off the test switch, in Codex words', async () => {
    await fs.rm(nodePath.join(home, 'auth.json'));
    const noAuth = await install();
    expect(E.isLeft(noAuth) && noAuth.left).to.deep.equal({
      _tag: 'Rejected',
      reason: 'chatgpt authentication required for remote plugin catalog',
    });
    expect(backend.seen).to.deep.equal([]);
    await fs.writeFile(nodePath.join(home, 'auth.json'), JSON.stringify({ tokens: { access_token: 'token-1' } }));
    const http = await homePluginPorts(
      home,
      {},
      { ...env, [ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV]: undefined },
    ).installRemote({
      remoteMarketplaceName: REMOTE_MARKETPLACE,
      pluginName: LINEAR,
    })();
    expect(E.isLeft(http) && http.left).to.deep.equal({
      _tag: 'Rejected',
      reason: `backend returned an unsupported download URL scheme for remote plugin \`${LINEAR}\`: http`,
    });
    // Nothing was installed, and the backend was not told: the download is checked before the POST.
    expect(backend.seen.filter((r) => r.method === 'POST')).to.deep.equal([]);
    expect(await listTree(cache())).to.deep.equal([]);
  });

  it('the base URL flag overrides config.toml', async () => {
    await fs.writeFile(nodePath.join(home, 'config.toml'), 'chatgpt_base_url = "http://127.0.0.1:9/nowhere/"\n');
    right(
      await homePluginPorts(home, { chatgptBaseUrl: backend.baseUrl }, env).installRemote({
        remoteMarketplaceName: REMOTE_MARKETPLACE,
        pluginName: LINEAR,
      })(),
    );
    expect(
      await fs.readFile(cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json'), 'utf8'),
    ).to.equal(sidecarText(LINEAR));
  });

  it('uninstalls by the backend id as Codex does: plugin read, backend told, cache root and sidecar removed, reported; a local id stays local', async () => {
    right(await install());
    backend.seen.length = 0;
    expect(right(await homePluginPorts(home, {}, env).uninstall({ pluginId: LINEAR })())).to.deep.equal({});
    expect(backend.seen.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
      `GET /backend-api/ps/plugins/${LINEAR}`,
      `POST /backend-api/ps/plugins/${LINEAR}/uninstall`,
    ]);
    expect(await fs.readdir(cache('openai-curated-remote'))).to.deep.equal([]);
    expect((await events()).map((e) => e.event_type)).to.deep.equal([
      'codex_plugin_installed',
      'codex_plugin_uninstalled',
    ]);

    right(await install());
    backend.seen.length = 0;
    right(await homePluginPorts(home, {}, env).uninstall({ pluginId: 'linear@openai-curated-remote' })());
    expect(backend.seen).to.deep.equal([]);
    expect(await fs.readdir(cache('openai-curated-remote'))).to.deep.equal([]);
    const bad = await homePluginPorts(home, {}, env).uninstall({ pluginId: 'bad id!' })();
    expect(E.isLeft(bad) && bad.left).to.deep.equal({ _tag: 'Rejected', reason: 'invalid remote plugin id' });
  });

  describe('startup sync', () => {
    it('recreates the deleted sidecar of an already-current bundle with the same bytes, without downloading it again', async () => {
      right(await install());
      const sidecar = cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json');
      const original = await fs.readFile(sidecar);
      const marker = cache('openai-curated-remote', 'linear', '1.2.3', 'kept.txt');
      await fs.writeFile(marker, 'the current bundle is kept');
      await fs.rm(sidecar);
      backend.seen.length = 0;
      expect(right(await sync())).to.deep.equal({
        installedPluginIds: [],
        backfilledPluginIds: ['linear@openai-curated-remote'],
        removedCachePluginIds: [],
        failedRemotePluginIds: [],
      });
      expect(await fs.readFile(sidecar)).to.deep.equal(original);
      expect((await fs.stat(sidecar)).mode & 0o777).to.equal(0o600);
      expect(await exists(marker)).to.equal(true);
      expect(backend.seen.map((r) => `${r.method} ${r.url}`)).to.deep.equal([
        'GET /backend-api/ps/plugins/installed?limit=200&includeDownloadUrls=true',
      ]);
      // Once current, a second sync changes nothing.
      expect(right(await sync())).to.deep.equal({
        installedPluginIds: [],
        backfilledPluginIds: [],
        removedCachePluginIds: [],
        failedRemotePluginIds: [],
      });
    });

    it('removes stale remote cache roots with their sidecars and touches nothing else', async () => {
      right(await install());
      const staleRoot = cache('workspace-directory', 'gone', '2.0.0', '.codex-plugin');
      await fs.mkdir(staleRoot, { recursive: true });
      await fs.writeFile(nodePath.join(staleRoot, 'plugin.json'), '{"name":"gone"}');
      await fs.writeFile(
        cache('workspace-directory', 'gone', '.codex-remote-plugin-install.json'),
        sidecarText('plugins~Plugin_gone'),
      );
      await fs.mkdir(cache('openai-curated-remote', 'old', '1.0.0'), { recursive: true });
      await fs.writeFile(
        cache('openai-curated-remote', 'old', '.codex-remote-plugin-install.json'),
        sidecarText('plugins~Plugin_old'),
      );
      // A local marketplace's plugin, even one with a sidecar, is not the remote sync's business.
      await fs.mkdir(cache('local-mk', 'docs', 'local'), { recursive: true });
      await fs.writeFile(
        cache('local-mk', 'docs', '.codex-remote-plugin-install.json'),
        sidecarText('plugins~Plugin_docs'),
      );
      const localBefore = await listTree(cache('local-mk'));
      const configBefore = await fs.readFile(nodePath.join(home, 'config.toml'), 'utf8');

      expect(right(await sync())).to.deep.equal({
        installedPluginIds: [],
        backfilledPluginIds: [],
        removedCachePluginIds: ['gone@workspace-directory', 'old@openai-curated-remote'],
        failedRemotePluginIds: [],
      });
      expect(await fs.readdir(cache('openai-curated-remote'))).to.deep.equal(['linear']);
      expect(await fs.readdir(cache('workspace-directory'))).to.deep.equal([]);
      expect(await listTree(cache('local-mk'))).to.deep.equal(localBefore);
      expect(await fs.readFile(nodePath.join(home, 'config.toml'), 'utf8')).to.equal(configBefore);
    });

    it('installs a new release with its sidecar (no analytics event, as Codex), counts one that cannot be fetched as failed and goes on', async () => {
      backend.plugins[0] = { ...backend.plugins[0]!, installed: true };
      backend.plugins.push({
        id: 'plugins~Plugin_broken',
        name: 'broken',
        scope: 'WORKSPACE',
        bundlePath: '/bundles/broken.tar.gz',
        version: '1.0.0',
        installed: true,
      });
      backend.failBundle.set('/bundles/broken.tar.gz', 500);
      expect(right(await sync())).to.deep.equal({
        installedPluginIds: ['linear@openai-curated-remote'],
        backfilledPluginIds: [],
        removedCachePluginIds: [],
        failedRemotePluginIds: ['plugins~Plugin_broken'],
      });
      expect(
        await fs.readFile(cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json'), 'utf8'),
      ).to.equal(sidecarText(LINEAR));
      expect(await fs.readdir(cache('openai-curated-remote', 'linear'))).to.deep.equal([
        '.codex-remote-plugin-install.json',
        '1.2.3',
      ]);
      expect(await exists(cache('workspace-directory', 'broken'))).to.equal(false);
      expect(await events()).to.deep.equal([]);
    });

    it('an install that finishes while a sync is listing is not removed by it as stale', async () => {
      backend.listingDelayMs = 400;
      const [synced, installed] = await Promise.all([sync(), install()]);
      right(synced);
      right(installed);
      expect(
        await fs.readFile(cache('openai-curated-remote', 'linear', '.codex-remote-plugin-install.json'), 'utf8'),
      ).to.equal(sidecarText(LINEAR));
    });

    it('a listing the backend refuses fails the sync and touches nothing', async () => {
      right(await install());
      await fs.mkdir(cache('openai-curated-remote', 'old', '1.0.0'), { recursive: true });
      const before = await listTree(cache());
      backend.listingStatus = 500;
      const r = await sync();
      expect(E.isLeft(r) && r.left._tag).to.equal('Rejected');
      expect(E.isLeft(r) && (r.left as { reason: string }).reason).to.match(
        /^remote plugin catalog request to http:\/\/127\.0\.0\.1:\d+\/backend-api\/ps\/plugins\/installed\?limit=200&includeDownloadUrls=true failed with status 500 Internal Server Error: /,
      );
      expect(await listTree(cache())).to.deep.equal(before);
    });
  });
});
