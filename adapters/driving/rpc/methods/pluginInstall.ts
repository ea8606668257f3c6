import { pluginInstallMethod } from '../../../../protocol/plugins.js';
import { installPlugin } from '../../../../replay/plugins/installPlugin.js';
import { bindMethod } from '../method.js';

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstall = bindMethod(
  pluginInstallMethod,
  (ctx, p) => async () => installPlugin(await ctx.plugins(), p)(),
);
