import { pluginListMethod } from '../../../protocol/plugins.js';
import { listPlugins } from '../../../replay/listPlugins.js';
import { bindMethod } from '../method.js';
import { pluginsOf } from '../homeBundles.js';

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
export const pluginList = bindMethod(pluginListMethod, (ctx, p) => async () => listPlugins((await pluginsOf(ctx)).local.catalog, p.cwds ?? [])());
