import * as E from 'fp-ts/lib/Either.js';
import { invalidArgument } from '../../../domain/errors.js';
import { pluginInstallMethod } from '../../../protocol/plugins.js';
import { installPlugin } from '../../../replay/plugins/installPlugin.js';
import { bindMethod } from '../method.js';

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstall = bindMethod(pluginInstallMethod, (ctx, p) => async () => {
  if (p.marketplacePath !== undefined && p.marketplacePath !== null) return installPlugin((await ctx.plugins()).local, p.marketplacePath, p.pluginName)();
  if (p.remoteMarketplaceName !== undefined && p.remoteMarketplaceName !== null) return (await ctx.plugins()).installRemote(p.pluginName)();
  return E.left(invalidArgument('marketplacePath', 'either marketplacePath or remoteMarketplaceName is required'));
});
