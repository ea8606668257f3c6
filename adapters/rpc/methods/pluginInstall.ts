import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { invalidArgument } from '../../../domain/errors.js';
import { installPlugin } from '../../../replay/installPlugin.js';
import { pluginsOf } from '../homeBundles.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

/** `plugin/install` params (Codex's `PluginInstallParams`). */
export const PluginInstallParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string), installAttemptId: optional(t.string) }),
]);

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstall = defineMethod({
  name: 'plugin/install',
  params: PluginInstallParams,
  // One plugin install at a time: each replaces a cache root and rewrites config.toml.
  scope: () => ({ key: 'plugins', access: 'write' }),
  handle: (ctx, p) => async () => {
    if (p.marketplacePath !== undefined && p.marketplacePath !== null) return installPlugin((await pluginsOf(ctx)).local, p.marketplacePath, p.pluginName)();
    if (p.remoteMarketplaceName !== undefined && p.remoteMarketplaceName !== null) return (await pluginsOf(ctx)).installRemote(p.pluginName)();
    return E.left(invalidArgument('marketplacePath', 'either marketplacePath or remoteMarketplaceName is required'));
  },
});
