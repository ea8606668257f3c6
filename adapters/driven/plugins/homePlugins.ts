import type { PluginCache, PluginCatalog, PluginConfig } from '../../../domain/plugins/ports.js';
import type { PluginsManager } from '../../../replay/plugins/pluginsManager.js';
import { pluginsManager } from '../../../replay/plugins/pluginsManager.js';
import { captureFileFromEnv, captureSink } from '../analytics/captureSink.js';
import { diskPluginCache } from './pluginCache.js';
import { diskPluginCatalog } from './pluginCatalog.js';
import { diskPluginConfig } from './pluginConfig.js';

export interface HomePlugins {
  readonly cache: PluginCache;
  readonly catalog: PluginCatalog;
  readonly config: PluginConfig;
  readonly manager: PluginsManager;
}

/**
 * A home's plugins on disk: the catalog (marketplaces, cache and config state), the config
 * tables, and the plugins manager over its cache. Lifecycle analytics go to the capture file of
 * `CODEX_ANALYTICS_EVENTS_CAPTURE_FILE` when it is set (in every build: Codex reads it only in
 * debug builds), and nowhere otherwise: `serve` never posts analytics itself.
 */
export const homePlugins = (codexHome: string, env: NodeJS.ProcessEnv = process.env): HomePlugins => {
  const cache = diskPluginCache(codexHome);
  const capture = captureFileFromEnv(env);
  return {
    cache,
    catalog: diskPluginCatalog(codexHome, cache),
    config: diskPluginConfig(codexHome),
    manager: pluginsManager({
      cache,
      sink: capture === undefined ? null : captureSink(capture),
      productClientId: null,
    }),
  };
};
