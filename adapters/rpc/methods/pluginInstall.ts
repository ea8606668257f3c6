import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { invalidArgument } from '../../../domain/errors.js';
import { installPlugin } from '../../../replay/installPlugin.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { installHomeRemotePlugin } from '../../plugins/homeRemotePlugins.js';
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
  handle: (ctx, p) =>
    p.marketplacePath !== undefined && p.marketplacePath !== null
      ? installPlugin(homePlugins(ctx.codexHome), p.marketplacePath, p.pluginName)
      : p.remoteMarketplaceName !== undefined && p.remoteMarketplaceName !== null
        ? installHomeRemotePlugin(ctx.codexHome, ctx.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: ctx.chatgptBaseUrl }, p.pluginName)
        : TE.left(invalidArgument('marketplacePath', 'either marketplacePath or remoteMarketplaceName is required')),
});
