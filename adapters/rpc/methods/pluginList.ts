import { pluginListMethod } from '../../../protocol/plugins.js';
import { listPlugins } from '../../../replay/listPlugins.js';
import { bindMethod } from '../method.js';
import { homePlugins } from '../../plugins/homePlugins.js';

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
export const pluginList = bindMethod(pluginListMethod, (ctx, p) => listPlugins(homePlugins(ctx.codexHome).catalog, p.cwds ?? []));
