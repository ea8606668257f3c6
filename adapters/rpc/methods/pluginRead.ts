import * as E from 'fp-ts/lib/Either.js';
import { rejected } from '../../../domain/errors.js';
import { pluginReadMethod } from '../../../protocol/plugins.js';
import { readPlugin } from '../../../replay/plugins/readPlugin.js';
import { bindMethod } from '../method.js';

/** `plugin/read`: one plugin of a local marketplace file, or of a remote catalog (`remoteMarketplaceName`, `pluginName` the backend's id), in detail. */
export const pluginRead = bindMethod(pluginReadMethod, (ctx, p) => async () => {
  const local = p.marketplacePath ?? null;
  const remote = p.remoteMarketplaceName ?? null;
  if (local !== null && remote === null) return readPlugin((await ctx.plugins()).local.catalog, local, p.pluginName)();
  if (remote !== null && local === null) return (await ctx.plugins()).readRemote(remote, p.pluginName)();
  return E.left(rejected('plugin/read requires exactly one of marketplacePath or remoteMarketplaceName'));
});
