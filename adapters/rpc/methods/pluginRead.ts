import * as E from 'fp-ts/lib/Either.js';
import { invalidArgument } from '../../../domain/errors.js';
import { pluginReadMethod } from '../../../protocol/plugins.js';
import { readPlugin } from '../../../replay/readPlugin.js';
import { bindMethod } from '../method.js';

/** `plugin/read`: one plugin of a local marketplace file, in detail. */
export const pluginRead = bindMethod(pluginReadMethod, (ctx, p) => async () => {
  if (p.marketplacePath === undefined || p.marketplacePath === null)
    return E.left(invalidArgument('marketplacePath', 'a local marketplace file is required (remote catalogs are not read here)'));
  return readPlugin((await ctx.plugins()).local.catalog, p.marketplacePath, p.pluginName)();
});
