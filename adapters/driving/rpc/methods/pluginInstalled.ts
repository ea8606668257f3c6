import { pluginInstalledMethod } from '../../../../protocol/plugins.js';
import { listInstalledPlugins } from '../../../../replay/plugins/listInstalledPlugins.js';
import { bindMethod } from '../method.js';

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalled = bindMethod(
  pluginInstalledMethod,
  (ctx, p) => async () => listInstalledPlugins((await ctx.plugins()).local.catalog, p)(),
);
