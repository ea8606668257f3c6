import * as t from 'io-ts';
import { pluginsOf } from '../homeBundles.js';
import { defineMethod } from '../method.js';

/** `plugin/uninstall` params (Codex's `PluginUninstallParams`). */
export const PluginUninstallParams = t.type({ pluginId: t.string });

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstall = defineMethod({
  name: 'plugin/uninstall',
  params: PluginUninstallParams,
  scope: () => ({ key: 'plugins', access: 'write' }),
  handle: (ctx, p) => async () => (await pluginsOf(ctx)).uninstall(p.pluginId)(),
});
