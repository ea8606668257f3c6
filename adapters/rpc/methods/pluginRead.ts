import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { invalidArgument } from '../../../domain/errors.js';
import { readPlugin } from '../../../replay/readPlugin.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';
import { pluginsOf } from '../homeBundles.js';

/** `plugin/read` params (Codex's `PluginReadParams`). */
export const PluginReadParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string) }),
]);

/** `plugin/read`: one plugin of a local marketplace file, in detail. */
export const pluginRead = defineMethod({
  name: 'plugin/read',
  params: PluginReadParams,
  scope: () => null,
  handle: (ctx, p) => async () => {
    if (p.marketplacePath === undefined || p.marketplacePath === null)
      return E.left(invalidArgument('marketplacePath', 'a local marketplace file is required (remote catalogs are not read here)'));
    return readPlugin((await pluginsOf(ctx)).local.catalog, p.marketplacePath, p.pluginName)();
  },
});
