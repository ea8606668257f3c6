import { pluginListMethod, remoteLocalVersionAt } from '../../../../protocol/plugins.js';
import { listPlugins } from '../../../../replay/plugins/listPlugins.js';
import { bindMethod } from '../method.js';

/**
 * `plugin/list`: the local marketplaces the home sees and their plugins, as the kinds asked choose them; a remote
 * plugin's `localVersion` as the connection's Codex version answers it (`remoteLocalVersionAt`).
 */
export const pluginList = bindMethod(
  pluginListMethod,
  (ctx, p) => async () =>
    listPlugins(await ctx.plugins(), p, remoteLocalVersionAt(pluginListMethod, ctx.codexVersion))(),
);
