import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { runEngineCli } from '../../../compat/engineCli.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { ANALYTICS_EVENTS_CAPTURE_FILE_ENV } from '../../../../adapters/driven/analytics/captureSink.js';

const write = async (path: string, text: string) => {
  await fs.mkdir(nodePath.dirname(path), { recursive: true });
  await fs.writeFile(path, text);
};

describe('rollout-engine plugins list | install | uninstall', function () {
  this.timeout(120_000);
  const tmp = useTempDir('plugins-cli-');

  it('installs from a local marketplace (reported with the bundle capability summary), lists, uninstalls', async () => {
    const home = nodePath.join(tmp(), 'home');
    const mk = nodePath.join(tmp(), 'mk');
    const marketplace = nodePath.join(mk, '.agents/plugins/marketplace.json');
    await write(
      marketplace,
      JSON.stringify({
        name: 'local-mk',
        plugins: [{ name: 'docs', source: { source: 'local', path: './plugins/docs' } }],
      }),
    );
    await write(
      nodePath.join(mk, 'plugins/docs/.codex-plugin/plugin.json'),
      JSON.stringify({ name: 'docs', version: '2.0.0', apps: './apps.json' }),
    );
    await write(
      nodePath.join(mk, 'plugins/docs/apps.json'),
      JSON.stringify({ apps: { drive: { id: 'connector_drive' } } }),
    );
    await write(
      nodePath.join(mk, 'plugins/docs/.mcp.json'),
      JSON.stringify({ mcpServers: { docs: { command: 'true' } } }),
    );
    await write(
      nodePath.join(home, 'config.toml'),
      `model = "m"\n\n[marketplaces.local-mk]\nsource_type = "local"\nsource = ${JSON.stringify(mk)}\n`,
    );
    const capture = nodePath.join(tmp(), 'capture.jsonl');
    const cli = (args: string[]) =>
      runEngineCli(['plugins', ...args, '--codex-home', home], 30_000, {
        [ANALYTICS_EVENTS_CAPTURE_FILE_ENV]: capture,
      });

    const installed = await cli(['install', marketplace, 'docs', '--json']);
    expect(installed.exitCode, installed.stderr).to.equal(0);
    expect(JSON.parse(installed.stdout)).to.deep.equal({ authPolicy: 'ON_INSTALL', appsNeedingAuth: [] });
    expect(await fs.readdir(nodePath.join(home, 'plugins/cache/local-mk/docs'))).to.deep.equal(['2.0.0']);
    expect(await fs.readFile(nodePath.join(home, 'config.toml'), 'utf8')).to.match(
      /\n\n\[plugins\."docs@local-mk"\]\nenabled = true\n$/,
    );

    const listed = await cli(['list', '--json']);
    expect(listed.exitCode, listed.stderr).to.equal(0);
    const plugin = (JSON.parse(listed.stdout) as { marketplaces: Array<{ plugins: Array<Record<string, unknown>> }> })
      .marketplaces[0]!.plugins[0]!;
    expect(plugin).to.include({ id: 'docs@local-mk', installed: true, enabled: true, localVersion: '2.0.0' });

    const uninstalled = await cli(['uninstall', 'docs@local-mk']);
    expect(uninstalled.exitCode, uninstalled.stderr).to.equal(0);
    expect(uninstalled.stdout.trim()).to.equal('uninstalled docs@local-mk');
    expect(await fs.readdir(nodePath.join(home, 'plugins/cache/local-mk'))).to.deep.equal([]);
    expect(await fs.readFile(nodePath.join(home, 'config.toml'), 'utf8')).to.not.include('plugins.');

    const events = (await fs.readFile(capture, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          (JSON.parse(l) as { events: Array<{ event_type: string; event_params: Record<string, unknown> }> })
            .events[0]!,
      );
    expect(events.map((e) => e.event_type)).to.deep.equal(['codex_plugin_installed', 'codex_plugin_uninstalled']);
    for (const e of events)
      expect(e.event_params).to.deep.include({
        plugin_id: 'docs@local-mk',
        has_skills: false,
        mcp_server_count: 1,
        connector_ids: ['connector_drive'],
      });

    const refused = await cli(['install', marketplace, 'nope']);
    expect(refused.exitCode).to.not.equal(0);
    expect(refused.stderr).to.include('plugin `nope` was not found in marketplace `local-mk`');
  });
});
