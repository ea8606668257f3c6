import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { PluginCatalog, PluginConfig } from '../../domain/plugins/ports.js';
import { manifestVersion } from '../../domain/plugins/marketplace.js';
import { parsePluginId, pluginKey } from '../../domain/plugins/pluginId.js';
import { DEFAULT_PLUGIN_VERSION } from '../../domain/plugins/version.js';
import type { PluginsManager } from './pluginsManager.js';
import { stop, take, useCase } from '../internal/useCase.js';
import type { PluginInstallResult } from '../../protocol/plugins.js';

/**
 * `plugin/install` from a local marketplace file, with Codex's effects: the plugin's cache root
 * replaced by its source at the manifest's version (`local` without one) — so a remote-install
 * sidecar goes with the old root — and `[plugins."<id>"] enabled = true` in config.toml. Reported
 * through the plugins manager (`codex_plugin_installed`, normal metadata).
 */
export const installPlugin = (
  deps: { readonly catalog: PluginCatalog; readonly config: PluginConfig; readonly manager: PluginsManager },
  marketplacePath: string,
  pluginName: string,
): TE.TaskEither<EngineError, PluginInstallResult> =>
  useCase(async () => {
    const { marketplace, states } = await take(deps.catalog.marketplace(marketplacePath));
    const i = marketplace.plugins.findIndex((p) => p.name === pluginName);
    if (i < 0) return stop(rejected(`plugin \`${pluginName}\` was not found in marketplace \`${marketplace.name}\``));
    const entry = marketplace.plugins[i]!;
    if (entry.installPolicy === 'NOT_AVAILABLE') return stop(rejected(`plugin \`${pluginName}\` is not available for install in marketplace \`${marketplace.name}\``));
    const id = await take(parsePluginId(`${entry.name}@${marketplace.name}`));
    await take(deps.manager.installLocal(entry.sourcePath, id, manifestVersion(states[i]!.manifest) ?? DEFAULT_PLUGIN_VERSION));
    await take(deps.config.setEnabled(pluginKey(id), true));
    return { authPolicy: entry.authPolicy, appsNeedingAuth: [] };
  });
