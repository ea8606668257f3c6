import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { parsePluginId, pluginKey } from '../../domain/plugins/pluginId.js';
import type { PluginCache, RemoteInstalledPlugin } from '../../domain/plugins/ports.js';
import type { RemoteSyncOutcome } from '../../domain/plugins/remoteCatalog.js';
import { REMOTE_PLUGIN_SCOPES, validateRemoteBundle } from '../../domain/plugins/remoteCatalog.js';
import type { PluginsManager } from './pluginsManager.js';
import type { RemotePluginDeps } from './installRemotePlugin.js';
import { take, useCase } from '../../domain/effect.js';

/**
 * The startup sync of remotely installed plugins (Codex's `sync_remote_installed_plugin_bundles_once`):
 * the account's installed plugins are listed with download URLs (a listing that fails fails the
 * sync, and nothing is touched), each under the cache marketplace of its scope; each whose cached version is not the release
 * version is downloaded and installed with its sidecar; one already current keeps its bundle and
 * gets its sidecar back if it was deleted or differs; a plugin that cannot be installed is counted
 * as failed and the others go on. Last, every other entry of the two remote marketplaces' cache
 * folders is removed with its sidecar. Local marketplaces are never looked at.
 */
export const syncRemotePlugins = (
  deps: RemotePluginDeps & { readonly cache: PluginCache; readonly manager: PluginsManager },
): TE.TaskEither<EngineError, RemoteSyncOutcome> =>
  useCase(async () => {
    const all = await take(deps.backend.installedPlugins(true));
    const listings = REMOTE_PLUGIN_SCOPES.map(({ scope, marketplaceName }) => ({
      marketplaceName,
      plugins: all.filter((p: RemoteInstalledPlugin) => p.scope === scope),
    }));
    const installed = new Set<string>();
    const backfilled = new Set<string>();
    const failed = new Set<string>();
    const removed: string[] = [];
    for (const { marketplaceName, plugins } of listings) {
      const keep = new Set<string>();
      for (const plugin of plugins) {
        keep.add(plugin.name);
        const id = parsePluginId(`${plugin.name}@${marketplaceName}`);
        const version = plugin.release.version?.trim() || null;
        if (E.isLeft(id)) {
          failed.add(plugin.id);
          continue;
        }
        const active = await take(deps.cache.activeVersion(id.right));
        if (active === version && active === null) continue; // nothing cached, no release: as Codex, nothing to do
        const bundle = validateRemoteBundle(plugin, marketplaceName, deps.allowLoopbackHttp);
        const outcome = await deps.manager.syncRemote(id.right, version ?? '', plugin.id, () =>
          E.isLeft(bundle) ? () => Promise.resolve(bundle) : deps.bundles.fetch(bundle.right),
        )();
        if (E.isLeft(outcome)) failed.add(plugin.id);
        else if (outcome.right === 'installed') installed.add(pluginKey(id.right));
        else if (outcome.right === 'backfilled') backfilled.add(pluginKey(id.right));
      }
      removed.push(...(await take(deps.cache.removeStale(marketplaceName, keep))));
    }
    return {
      installedPluginIds: [...installed].sort(),
      backfilledPluginIds: [...backfilled].sort(),
      removedCachePluginIds: removed.sort(),
      failedRemotePluginIds: [...failed].sort(),
    };
  });
