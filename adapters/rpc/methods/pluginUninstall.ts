import * as t from 'io-ts';
import { uninstallPlugin } from '../../../replay/uninstallPlugin.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { defineMethod } from '../method.js';

/** `plugin/uninstall` params (Codex's `PluginUninstallParams`). */
export const PluginUninstallParams = t.type({ pluginId: t.string });

/** `plugin/uninstall` of `<name>@<marketplace>`. */
export const pluginUninstall = defineMethod({
  name: 'plugin/uninstall',
  params: PluginUninstallParams,
  scope: () => ({ key: 'plugins', access: 'write' }),
  handle: (ctx, p) => uninstallPlugin(homePlugins(ctx.codexHome), p.pluginId),
});
