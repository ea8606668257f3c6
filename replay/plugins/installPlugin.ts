import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument, rejected } from '../../domain/errors.js';
import type { PluginCatalog, PluginConfig } from '../../domain/plugins/ports.js';
import { manifestVersion } from '../../domain/plugins/marketplace.js';
import { parsePluginId, pluginKey } from '../../domain/plugins/pluginId.js';
import { DEFAULT_PLUGIN_VERSION } from '../../domain/plugins/version.js';
import type { PluginsManager } from './pluginsManager.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { PluginInstallResult } from '../../protocol/plugins.js';
import type { ParamsOf } from '../../protocol/methods.js';
import type { RemotePluginInstall } from './installRemotePlugin.js';

/** What `plugin/install` runs on: the plugins on disk, and the remote install (`installRemotePlugin.ts`), which the home serialises with its syncs (`homeRemotePlugins.ts`). */
export interface PluginInstallDeps {
  readonly local: { readonly catalog: PluginCatalog; readonly config: PluginConfig; readonly manager: PluginsManager };
  readonly installRemote: (p: RemotePluginInstall) => TE.TaskEither<EngineError, PluginInstallResult>;
}

/**
 * `plugin/install` from a local marketplace file (`marketplacePath`, which wins when both are
 * given), or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id); neither
 * is refused. From a local file, with Codex's effects: the plugin's cache root replaced by its
 * source at the manifest's version (`local` without one) — so a remote-install sidecar goes with
 * the old root — and `[plugins."<id>"] enabled = true` in config.toml. Reported through the
 * plugins manager (`codex_plugin_installed`, normal metadata).
 */
export const installPlugin = (
  deps: PluginInstallDeps,
  p: ParamsOf<'plugin/install'>,
): TE.TaskEither<EngineError, PluginInstallResult> =>
  useCase(async () => {
    const { pluginName } = p;
    const marketplacePath = p.marketplacePath ?? null;
    if (marketplacePath === null) {
      const remoteMarketplaceName = p.remoteMarketplaceName ?? null;
      if (remoteMarketplaceName === null)
        return stop(invalidArgument('marketplacePath', 'either marketplacePath or remoteMarketplaceName is required'));
      return take(deps.installRemote({ ...p, remoteMarketplaceName }));
    }
    const { catalog, config, manager } = deps.local;
    const { marketplace, states } = await take(catalog.marketplace(marketplacePath));
    const i = marketplace.plugins.findIndex((e) => e.name === pluginName);
    if (i < 0) return stop(rejected(`plugin \`${pluginName}\` was not found in marketplace \`${marketplace.name}\``));
    const entry = marketplace.plugins[i]!;
    if (entry.installPolicy === 'NOT_AVAILABLE')
      return stop(
        rejected(`plugin \`${pluginName}\` is not available for install in marketplace \`${marketplace.name}\``),
      );
    const id = await take(parsePluginId(`${entry.name}@${marketplace.name}`));
    await take(
      manager.installLocal(entry.sourcePath, id, manifestVersion(states[i]!.manifest) ?? DEFAULT_PLUGIN_VERSION),
    );
    await take(config.setEnabled(pluginKey(id), true));
    return { authPolicy: entry.authPolicy, appsNeedingAuth: [] };
  });
