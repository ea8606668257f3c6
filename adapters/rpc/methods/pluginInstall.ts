import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { invalidArgument } from '../../../domain/errors.js';
import { installPlugin } from '../../../replay/installPlugin.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';

/** `plugin/install` params (Codex's `PluginInstallParams`). */
export const PluginInstallParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string), installAttemptId: optional(t.string) }),
]);

/** `plugin/install` from a local marketplace file. */
export const pluginInstall = defineMethod({
  name: 'plugin/install',
  params: PluginInstallParams,
  // One plugin install at a time: each replaces a cache root and rewrites config.toml.
  scope: () => ({ key: 'plugins', access: 'write' }),
  handle: (ctx, p) =>
    p.marketplacePath === undefined || p.marketplacePath === null
      ? TE.left(invalidArgument('marketplacePath', 'a local marketplace file is required (remote catalogs are not installed from here)'))
      : installPlugin(homePlugins(ctx.codexHome), p.marketplacePath, p.pluginName),
});
