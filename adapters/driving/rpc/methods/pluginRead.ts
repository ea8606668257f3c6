import { pluginReadMethod, remoteLocalVersionAt } from '../../../../protocol/plugins.js';
import { readPlugin } from '../../../../replay/plugins/readPlugin.js';
import { bindMethod } from '../method.js';

/**
 * `plugin/read`: one plugin of a local marketplace file, or of a remote catalog (`remoteMarketplaceName`, `pluginName` the backend's id), in detail;
 * a remote plugin's `localVersion` as the connection's Codex version answers it (`remoteLocalVersionAt`).
 */
export const pluginRead = bindMethod(
  pluginReadMethod,
  (ctx, p) => async () =>
    readPlugin(await ctx.plugins(), p, remoteLocalVersionAt(pluginReadMethod, ctx.codexVersion))(),
);
