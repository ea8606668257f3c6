import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { diskPluginCache } from '../../../../adapters/driven/plugins/pluginCache.js';
import { pluginsManager } from '../../../../replay/plugins/pluginsManager.js';
import { parsePluginId } from '../../../../domain/plugins/pluginId.js';
import type { PluginId } from '../../../../domain/plugins/pluginId.js';
import type { TrackEventsRequest } from '../../../../domain/analytics/ports.js';
import { REMOTE_PLUGIN_INSTALL_METADATA_FILE } from '../../../../domain/plugins/sidecar.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { right } from '../../../fixtures/right.js';
import { rejected } from '../../../../domain/errors.js';

const WORKER = fileURLToPath(new URL('./sidecarWriterWorker.js', import.meta.url));
const DOCS = right(parsePluginId('docs@openai-curated'));
const REMOTE = 'plugins~Plugin_0123abcd';

const writeSource = async (dir: string, version: string): Promise<string> => {
  const src = nodePath.join(dir, `src-${version}-${Math.random().toString(36).slice(2)}`);
  await fs.mkdir(nodePath.join(src, '.codex-plugin'), { recursive: true });
  await fs.writeFile(nodePath.join(src, '.codex-plugin', 'plugin.json'), JSON.stringify({ name: 'docs', version }));
  return src;
};

const sidecarPath = (home: string, id: PluginId) =>
  nodePath.join(home, 'plugins', 'cache', id.marketplaceName, id.pluginName, REMOTE_PLUGIN_INSTALL_METADATA_FILE);
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

describe('plugin identity: remote-install sidecar lifecycle (PluginsManager over the disk cache)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('plugins-');
  let home: string;
  let sent: TrackEventsRequest[];
  const manager = () =>
    pluginsManager({
      cache: diskPluginCache(home),
      sink: { kind: 'capture', deliver: (p) => TE.fromIO(() => void sent.push(p)) },
      productClientId: 'rollout_engine_test',
    });

  beforeEach(async () => {
    home = await fs.mkdtemp(nodePath.join(tmp(), 'home-'));
    sent = [];
  });

  it('remote install writes the sidecar ({schema_version: 1, remote_plugin_id}, mode 0600) and reports the backend id it was given', async () => {
    const m = right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', REMOTE)());
    const text = await fs.readFile(sidecarPath(home, DOCS), 'utf8');
    expect(JSON.parse(text)).to.deep.equal({ schema_version: 1, remote_plugin_id: REMOTE });
    expect(text).to.equal(`{\n  "schema_version": 1,\n  "remote_plugin_id": "${REMOTE}"\n}\n`);
    expect((await fs.stat(sidecarPath(home, DOCS))).mode & 0o777).to.equal(0o600);
    const noCapabilities = {
      configName: 'docs@openai-curated',
      displayName: 'docs',
      description: null,
      hasSkills: false,
      mcpServerNames: [],
      appConnectorIds: [],
    };
    expect(m).to.deep.equal({ pluginId: DOCS, remotePluginId: REMOTE, capabilitySummary: noCapabilities });
    expect(sent).to.deep.equal([
      {
        events: [
          {
            event_type: 'codex_plugin_installed',
            event_params: {
              plugin_id: REMOTE,
              plugin_name: 'docs',
              marketplace_name: 'openai-curated',
              has_skills: false,
              mcp_server_count: 0,
              connector_ids: [],
              product_client_id: 'rollout_engine_test',
            },
          },
        ],
      },
    ]);
  });

  it('the sidecar is 0600 even over an older file with wider permissions, whatever the umask', async () => {
    right(await manager().installLocal(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0')());
    await fs.writeFile(sidecarPath(home, DOCS), JSON.stringify({ schema_version: 1, remote_plugin_id: 'old' }), {
      mode: 0o644,
    });
    const old = process.umask(0);
    try {
      right(await diskPluginCache(home).writeRemoteId(DOCS, REMOTE)());
    } finally {
      process.umask(old);
    }
    expect((await fs.stat(sidecarPath(home, DOCS))).mode & 0o777).to.equal(0o600);
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal(REMOTE);
  });

  it('sync backfills the sidecar when the cached bundle is already current, and leaves a current one alone', async () => {
    const src = await writeSource(tmp(), '1.0.0');
    right(await manager().installLocal(src, DOCS, '1.0.0')());
    expect(await exists(sidecarPath(home, DOCS))).to.equal(false);
    const marker = nodePath.join(home, 'plugins', 'cache', 'openai-curated', 'docs', '1.0.0', 'kept.txt');
    await fs.writeFile(marker, 'the cached bundle is not reinstalled');
    const unused = () => TE.left(rejected('a current bundle is not fetched again'));
    expect(right(await manager().syncRemote(DOCS, '1.0.0', REMOTE, unused)())).to.equal('backfilled');
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal(REMOTE);
    expect(await exists(marker)).to.equal(true);
    expect(right(await manager().syncRemote(DOCS, '1.0.0', REMOTE, unused)())).to.equal('current');
    // A different bundle version is a real (remote) install, fetched then; a sync reports no event (Codex's sync installs through the store).
    const v2 = await writeSource(tmp(), '2.0.0');
    let disposed = false;
    const source = () => TE.right({ root: v2, dispose: async () => void (disposed = true) });
    expect(right(await manager().syncRemote(DOCS, '2.0.0', REMOTE, source)())).to.equal('installed');
    expect(disposed).to.equal(true);
    expect(
      sent.filter((p) => p.events.some((e) => (e as { event_type?: string }).event_type === 'codex_plugin_installed')),
    ).to.have.length(1); // the installLocal above
    expect(right(await diskPluginCache(home).activeVersion(DOCS)())).to.equal('2.0.0');
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal(REMOTE);
  });

  it('a local install that replaces the cache clears the sidecar', async () => {
    right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', REMOTE)());
    right(await manager().installLocal(await writeSource(tmp(), '1.1.0'), DOCS, '1.1.0')());
    expect(await exists(sidecarPath(home, DOCS))).to.equal(false);
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal(null);
    expect(sent.map((p) => [p.events[0]!.event_type, p.events[0]!.event_params['plugin_id']])).to.deep.equal([
      ['codex_plugin_installed', REMOTE],
      ['codex_plugin_installed', 'docs@openai-curated'],
    ]);
  });

  it('uninstall removes the sidecar with the cache root and reports the plugin with normal metadata (no remote override)', async () => {
    right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', REMOTE)());
    right(await manager().uninstall(DOCS)());
    expect(await exists(nodePath.join(home, 'plugins', 'cache', 'openai-curated', 'docs'))).to.equal(false);
    expect(sent[1]!.events[0]).to.include({ event_type: 'codex_plugin_uninstalled' });
    expect(sent[1]!.events[0]!.event_params['plugin_id']).to.equal('docs@openai-curated');
    expect(await fs.readdir(nodePath.join(home, 'plugins', 'cache', 'openai-curated'))).to.deep.equal([]);
    // No identity can be written for a plugin that is not installed.
    expect(E.isLeft(await diskPluginCache(home).writeRemoteId(DOCS, REMOTE)())).to.equal(true);
  });

  it('an unknown schema_version is a typed Unsupported error, never read as version 1', async () => {
    right(await manager().installLocal(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0')());
    await fs.writeFile(
      sidecarPath(home, DOCS),
      JSON.stringify({ schema_version: 2, remote_plugin_id: REMOTE, region: 'eu' }),
    );
    const r = await diskPluginCache(home).readRemoteId(DOCS)();
    expect(E.isLeft(r) && r.left).to.deep.include({ _tag: 'Unsupported', schemaVersion: 2 });
    // Telemetry metadata never reads the sidecar, so a bad one does not stop analytics.
    expect(right(await manager().telemetryMetadata(DOCS)()).remotePluginId).to.equal(null);
    const listed = right(await diskPluginCache(home).list()());
    expect(listed[0]!.remotePluginId).to.equal(null);
    expect(listed[0]!.sidecarError).to.deep.include({ _tag: 'Unsupported', schemaVersion: 2 });
    for (const bad of [
      '{',
      JSON.stringify({ schema_version: 1 }),
      JSON.stringify({ schema_version: 1, remote_plugin_id: '  ' }),
    ]) {
      await fs.writeFile(sidecarPath(home, DOCS), bad);
      expect(E.isLeft(await diskPluginCache(home).readRemoteId(DOCS)()), bad).to.equal(true);
    }
  });

  it('telemetry metadata is built once and immutable', async () => {
    right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', REMOTE)());
    const m = right(await manager().telemetryMetadata(DOCS, { remotePluginId: REMOTE })());
    expect(m.remotePluginId).to.equal(REMOTE);
    expect(right(await manager().telemetryMetadata(DOCS)()).remotePluginId).to.equal(null);
    expect(Object.isFrozen(m) && Object.isFrozen(m.pluginId)).to.equal(true);
    expect(() => {
      (m as { remotePluginId: string | null }).remotePluginId = 'x';
    }).to.throw(TypeError);
  });

  it("every analytics path takes its metadata from PluginsManager: the installed bundle's capability summary", async () => {
    const src = await writeSource(tmp(), '1.0.0');
    await fs.mkdir(nodePath.join(src, 'skills', 'lookup'), { recursive: true });
    await fs.writeFile(
      nodePath.join(src, '.mcp.json'),
      JSON.stringify({ mcpServers: { search: { command: 's' }, docs: { url: 'http://127.0.0.1:1' } } }),
    );
    await fs.writeFile(
      nodePath.join(src, '.app.json'),
      JSON.stringify({ apps: { drive: { id: 'connector_drive' }, calendar: { id: 'connector_calendar' } } }),
    );
    const capabilities = {
      has_skills: true,
      mcp_server_count: 2,
      connector_ids: ['connector_drive', 'connector_calendar'],
    };
    const mgr = manager();
    right(await mgr.installLocal(src, DOCS, '1.0.0')());
    right(await mgr.installRemote(src, DOCS, '1.0.0', REMOTE)());
    const enabled = right(await mgr.stateEvent('enabled', DOCS)());
    const disabled = right(await mgr.stateEvent('disabled', DOCS)());
    const used = right(await mgr.usedEvent(DOCS, { threadId: 't', turnId: 'u', modelSlug: 'gpt-5' })());
    right(await mgr.uninstall(DOCS)());
    const events = [sent[0]!.events[0]!, sent[1]!.events[0]!, enabled, disabled, used, sent[2]!.events[0]!];
    expect(events.map((e) => e.event_type)).to.deep.equal([
      'codex_plugin_installed',
      'codex_plugin_installed',
      'codex_plugin_enabled',
      'codex_plugin_disabled',
      'codex_plugin_used',
      'codex_plugin_uninstalled',
    ]);
    for (const e of events)
      expect(e.event_params, e.event_type)
        .to.deep.include(capabilities)
        .and.to.deep.include({ plugin_name: 'docs', marketplace_name: 'openai-curated' });
    expect(events.map((e) => e.event_params['plugin_id'])).to.deep.equal([
      'docs@openai-curated',
      REMOTE,
      'docs@openai-curated',
      'docs@openai-curated',
      'docs@openai-curated',
      'docs@openai-curated',
    ]);
    expect(used.event_params['mcp_server_names']).to.deep.equal(['docs', 'search']);
    // Once uninstalled there is no bundle, so no summary.
    expect(right(await mgr.telemetryMetadata(DOCS)()).capabilitySummary).to.equal(null);
  });

  const runWorker = (args: string[]) => {
    const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const said = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.on('exit', (code) => reject(new Error(`worker exited ${code} before speaking`)));
    });
    const killed = () =>
      new Promise<void>((resolve) => {
        // Already gone (its exit event came before this listener): nothing to wait for.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      });
    return { said, killed };
  };

  it('a process killed between the temp write and the rename leaves the old sidecar, whole', async () => {
    right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', 'plugins~Plugin_old')());
    const w = runWorker([home, 'docs@openai-curated', 'pause', 'plugins~Plugin_new']);
    const said = await w.said;
    const temp = said.trim().replace(/^temp /, '');
    // The new bytes are complete in the temp file, not yet renamed: kill now.
    expect(JSON.parse(await fs.readFile(temp, 'utf8'))).to.deep.equal({
      schema_version: 1,
      remote_plugin_id: 'plugins~Plugin_new',
    });
    await w.killed();
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal('plugins~Plugin_old');
    // A later writer is not confused by the leftover temp file.
    right(await diskPluginCache(home).writeRemoteId(DOCS, 'plugins~Plugin_new')());
    expect(right(await diskPluginCache(home).readRemoteId(DOCS)())).to.equal('plugins~Plugin_new');
  });

  it('a writer killed at random moments leaves the old or the new sidecar, never a partial one', async () => {
    right(await manager().installRemote(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0', 'plugins~Plugin_a')());
    const ids = ['plugins~Plugin_a', `plugins~Plugin_${'b'.repeat(3000)}`];
    for (let round = 0; round < 12; round++) {
      const w = runWorker([home, 'docs@openai-curated', 'loop', ...ids]);
      await w.said;
      await new Promise((r) => setTimeout(r, 5 + ((round * 37) % 60)));
      await w.killed();
      const text = await fs.readFile(sidecarPath(home, DOCS), 'utf8');
      expect(ids).to.include(
        right(await diskPluginCache(home).readRemoteId(DOCS)()),
        `round ${round}: ${text.slice(0, 80)}`,
      );
    }
  });

  it('a plugin cache folder the home links out of it: install, the sidecar write and uninstall refuse it, the folder it leads to untouched', async () => {
    const outside = await fs.mkdtemp(nodePath.join(tmp(), 'outside-'));
    await fs.writeFile(nodePath.join(outside, 'keep.txt'), 'keep');
    await fs.mkdir(nodePath.join(home, 'plugins'), { recursive: true });
    await fs.symlink(outside, nodePath.join(home, 'plugins', 'cache'));
    const cache = diskPluginCache(home);
    const installed = await cache.install(await writeSource(tmp(), '1.0.0'), DOCS, '1.0.0')();
    expect(E.isLeft(installed) && installed.left._tag === 'Io' && installed.left.code).to.equal('ELOOP');
    const removed = await cache.uninstall(DOCS)();
    expect(E.isLeft(removed) && removed.left._tag === 'Io' && removed.left.code).to.equal('ELOOP');
    expect(await fs.readdir(outside)).to.deep.equal(['keep.txt']);
  });
});
