import { pluginInstalledMethod } from '../../../protocol/plugins.js';
import { listInstalledPlugins } from '../../../replay/listInstalledPlugins.js';
import { bindMethod } from '../method.js';
import { pluginsOf } from '../homeBundles.js';

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalled = bindMethod(
  pluginInstalledMethod,
  (ctx, p) => async () => listInstalledPlugins((await pluginsOf(ctx)).local.catalog, p.cwds ?? [], p.installSuggestionPluginNames ?? [])(),
);
