import { pluginListMethod } from '../../../protocol/plugins.js';
import { listPlugins } from '../../../replay/listPlugins.js';
import { bindMethod } from '../method.js';

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
export const pluginList = bindMethod(pluginListMethod, (ctx, p) => async () => listPlugins((await ctx.plugins()).local.catalog, p.cwds ?? [])());
