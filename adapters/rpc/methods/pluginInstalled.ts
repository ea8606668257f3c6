import { pluginInstalledMethod } from '../../../protocol/plugins.js';
import { listInstalledPlugins } from '../../../replay/listInstalledPlugins.js';
import { bindMethod } from '../method.js';
import { homePlugins } from '../../plugins/homePlugins.js';

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalled = bindMethod(pluginInstalledMethod, (ctx, p) =>
  listInstalledPlugins(homePlugins(ctx.codexHome).catalog, p.cwds ?? [], p.installSuggestionPluginNames ?? []),
);
