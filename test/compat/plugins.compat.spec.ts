// plugin/list, plugin/installed and plugin/read of the real `codex app-server` 0.169.0 and of
// `rollout-engine serve` on the same home, over stdio: a local marketplace (added with
// `marketplace/add` on a folder, which works offline) with a plugin carrying an interface, a skill
// and an MCP server and a bare one; asked before anything is installed, and again after Codex
// installed both and the first was given a remote-install sidecar (Codex still answers
// `remotePluginId: null` for a local marketplace plugin), and after our uninstall and install
// (Codex's on-disk effects: cache root and sidecar, config.toml table). Nothing is normalised: the
// answers are deterministic.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { appServerEnv, codexConfigToml, resolveCodexCommand } from './appServer.js';
import { handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { REMOTE_PLUGIN_INSTALL_METADATA_FILE } from '../../domain/plugins/sidecar.js';
import { parse as parseToml } from 'smol-toml';

const write = (path: string, text: string) => {
  fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  fs.writeFileSync(path, text);
};

/** A local marketplace: `docs` (versioned, interface with assets, a skill, an MCP server; marketplace category) and a bare `sheets`. */
const buildMarketplace = (root: string) => {
  write(
    nodePath.join(root, '.agents/plugins/marketplace.json'),
    JSON.stringify({
      name: 'local-mk',
      interface: { displayName: 'Local MK' },
      plugins: [
        {
          name: 'docs',
          source: { source: 'local', path: './plugins/docs' },
          policy: { installation: 'AVAILABLE', authentication: 'ON_USE' },
          category: 'Productivity',
        },
        { name: 'sheets', source: { source: 'local', path: './plugins/sheets' } },
      ],
    }),
  );
  write(
    nodePath.join(root, 'plugins/docs/.codex-plugin/plugin.json'),
    JSON.stringify({
      name: 'docs',
      version: ' 1.2.0 ',
      description: 'Docs helper',
      keywords: ['docs', 'search'],
      interface: {
        displayName: 'Docs',
        shortDescription: 'Find docs',
        developerName: 'Rollout Engine',
        category: 'Reference',
        capabilities: ['Read'],
        defaultPrompt: ['  Find   the docs ', 'Summarise'],
        brandColor: '#123456',
        logo: './assets/logo.svg',
        screenshots: ['./assets/one.png'],
      },
    }),
  );
  write(
    nodePath.join(root, 'plugins/docs/skills/lookup/SKILL.md'),
    '---\nname: lookup\ndescription: Look things up\n---\nLook things up.\n',
  );
  write(
    nodePath.join(root, 'plugins/docs/.mcp.json'),
    JSON.stringify({ mcpServers: { docs: { command: 'true' }, search: { command: 'true' } } }),
  );
  write(nodePath.join(root, 'plugins/sheets/.codex-plugin/plugin.json'), JSON.stringify({ name: 'sheets' }));
};

describe('plugin/list, plugin/installed, plugin/read: rollout-engine serve answers as codex app-server 0.169.0 does', function () {
  this.timeout(180_000);
  let root: string;
  let codexHome: string;
  let marketplacePath: string;
  const servers: StdioRpcClient[] = [];
  const started = async (s: StdioRpcClient) => {
    servers.push(s);
    await handshake(s, { clientInfo: { name: 'compat', version: '1' }, capabilities: { experimentalApi: true } });
    return s;
  };
  const codex = () => {
    const command = resolveCodexCommand();
    return started(spawnAppServerRpc(command, codexHome));
  };
  // Same HOME as Codex: the user's home marketplace is looked for there.
  const ours = async () =>
    started(await serveOverStdio(codexHome, { env: { ...process.env, ...appServerEnv({ codexHome }) } }));

  const answersOf = async (s: StdioRpcClient): Promise<RpcAnswer[]> => [
    await s.request('plugin/list', {}),
    await s.request('plugin/list', { cwds: [root] }),
    await s.request('plugin/installed', {}),
    await s.request('plugin/installed', { installSuggestionPluginNames: ['sheets'] }),
    await s.request('plugin/read', { marketplacePath, pluginName: 'docs' }),
    await s.request('plugin/read', { marketplacePath, pluginName: 'sheets' }),
    await s.request('plugin/read', { marketplacePath, pluginName: 'nope' }),
    await s.request('plugin/read', {
      marketplacePath: nodePath.join(root, 'missing/marketplace.json'),
      pluginName: 'docs',
    }),
    // Which marketplaces by kind, and a refetch of the remote catalog (off in this home: remote_plugin = false, no ChatGPT login).
    await s.request('plugin/list', { marketplaceKinds: [] }),
    await s.request('plugin/list', { marketplaceKinds: ['local'] }),
    await s.request('plugin/list', {
      marketplaceKinds: ['vertical', 'workspace-directory', 'shared-with-me', 'created-by-me-remote'],
    }),
    await s.request('plugin/list', { marketplaceKinds: ['shared-with-me', 'local'] }),
    await s.request('plugin/list', { marketplaceKinds: ['created-by-me-remote', 'local'], cwds: [root] }),
    await s.request('plugin/list', { forceRefetch: true }),
    await s.request('plugin/list', { marketplaceKinds: ['nope'] }),
  ];
  const compare = async () => {
    const theirs = await answersOf(await codex());
    const mine = await answersOf(await ours());
    for (let i = 0; i < theirs.length; i++) expect(mine[i], `answer ${i}`).to.deep.equal(theirs[i]);
    return theirs;
  };

  before(async () => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'plugins-compat-'));
    codexHome = nodePath.join(root, 'codex-home');
    fs.mkdirSync(codexHome, { recursive: true });
    // No model is asked: the mock's port is never dialled. Plugins on.
    fs.writeFileSync(
      nodePath.join(codexHome, 'config.toml'),
      codexConfigToml(9).replace('plugins = false', 'plugins = true'),
    );
    buildMarketplace(nodePath.join(root, 'mk'));
    marketplacePath = nodePath.join(root, 'mk', '.agents/plugins/marketplace.json');
    const c = await codex();
    const added = await c.request('marketplace/add', { source: nodePath.join(root, 'mk') });
    expect(added).to.deep.equal({
      result: { marketplaceName: 'local-mk', installedRoot: nodePath.join(root, 'mk'), alreadyAdded: false },
    });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('a marketplace added, nothing installed: the same answers', async () => {
    const theirs = await compare();
    const list = (
      theirs[0] as {
        result: { marketplaces: Array<{ plugins: Array<{ installed: boolean; localVersion: string | null }> }> };
      }
    ).result;
    expect(list.marketplaces[0]!.plugins.map((p) => [p.installed, p.localVersion])).to.deep.equal([
      [false, '1.2.0'],
      [false, null],
    ]);
  });

  const sidecar = () =>
    nodePath.join(codexHome, 'plugins', 'cache', 'local-mk', 'docs', REMOTE_PLUGIN_INSTALL_METADATA_FILE);
  const writeSidecar = () =>
    fs.writeFileSync(sidecar(), `{\n  "schema_version": 1,\n  "remote_plugin_id": "plugins~Plugin_docs0001"\n}\n`, {
      mode: 0o600,
    });
  const pluginTables = () =>
    (
      parseToml(fs.readFileSync(nodePath.join(codexHome, 'config.toml'), 'utf8')) as {
        plugins?: Record<string, unknown>;
      }
    ).plugins ?? {};

  it('refusals and no-ops of plugin/install and plugin/uninstall in the same words', async () => {
    const asks = async (s: StdioRpcClient) => [
      await s.request('plugin/install', { marketplacePath, pluginName: 'nope' }),
      await s.request('plugin/install', {
        marketplacePath: nodePath.join(root, 'missing/marketplace.json'),
        pluginName: 'docs',
      }),
      await s.request('plugin/uninstall', { pluginId: 'bad id' }),
      await s.request('plugin/uninstall', { pluginId: 'nope@local-mk' }),
    ];
    const theirs = await asks(await codex());
    expect(await asks(await ours())).to.deep.equal(theirs);
    expect(theirs[3]).to.deep.equal({ result: {} });
  });

  it('both installed by Codex, docs with a remote-install sidecar: the same answers', async () => {
    const c = await codex();
    for (const pluginName of ['docs', 'sheets'])
      expect(await c.request('plugin/install', { marketplacePath, pluginName })).to.have.property('result');
    const cacheRoot = nodePath.join(codexHome, 'plugins', 'cache', 'local-mk', 'docs');
    fs.writeFileSync(
      nodePath.join(cacheRoot, REMOTE_PLUGIN_INSTALL_METADATA_FILE),
      `{\n  "schema_version": 1,\n  "remote_plugin_id": "plugins~Plugin_docs0001"\n}\n`,
      {
        mode: 0o600,
      },
    );
    const theirs = await compare();
    const installed = (
      theirs[2] as {
        result: {
          marketplaces: Array<{
            plugins: Array<{ id: string; installed: boolean; enabled: boolean; remotePluginId: string | null }>;
          }>;
        };
      }
    ).result;
    expect(
      installed.marketplaces[0]!.plugins.map((p) => [p.id, p.installed, p.enabled, p.remotePluginId]),
    ).to.deep.equal([
      ['docs@local-mk', true, true, null],
      ['sheets@local-mk', true, true, null],
    ]);
  });

  it('after our uninstall (cache root, sidecar and config table gone) and our install (root replaced, sidecar cleared, enabled), Codex answers as we do', async () => {
    const s = await ours();
    expect(await s.request('plugin/uninstall', { pluginId: 'docs@local-mk' })).to.deep.equal({ result: {} });
    expect(fs.existsSync(nodePath.join(codexHome, 'plugins', 'cache', 'local-mk', 'docs'))).to.equal(false);
    expect(Object.keys(pluginTables())).to.deep.equal(['sheets@local-mk']);
    const afterUninstall = await compare();
    expect(
      (
        afterUninstall[2] as { result: { marketplaces: Array<{ plugins: Array<{ id: string }> }> } }
      ).result.marketplaces[0]!.plugins.map((p) => p.id),
    ).to.deep.equal(['sheets@local-mk']);

    expect(await s.request('plugin/install', { marketplacePath, pluginName: 'docs' })).to.deep.equal({
      result: { authPolicy: 'ON_USE', appsNeedingAuth: [] },
    });
    writeSidecar();
    expect(await s.request('plugin/install', { marketplacePath, pluginName: 'docs' })).to.deep.equal({
      result: { authPolicy: 'ON_USE', appsNeedingAuth: [] },
    });
    expect(fs.existsSync(sidecar())).to.equal(false);
    expect(fs.readdirSync(nodePath.join(codexHome, 'plugins', 'cache', 'local-mk', 'docs'))).to.deep.equal(['1.2.0']);
    expect(pluginTables()).to.deep.equal({ 'sheets@local-mk': { enabled: true }, 'docs@local-mk': { enabled: true } });
    expect((fs.statSync(nodePath.join(codexHome, 'config.toml')).mode & 0o777).toString(8)).to.equal('600');
    await compare();
  });

  it('with the plugins feature off in config.toml: no marketplace listed, plugin/read refused, in the same words', async () => {
    const config = nodePath.join(codexHome, 'config.toml');
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('plugins = true', 'plugins = false'));
    const theirs = await compare();
    expect(theirs[0]).to.deep.equal({ result: { marketplaces: [], marketplaceLoadErrors: [], featuredPluginIds: [] } });
    expect(theirs[4]).to.deep.equal({ error: { code: -32600, message: 'plugins feature is disabled' } });
  });
});
