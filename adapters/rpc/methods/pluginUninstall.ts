import * as t from 'io-ts';
import { uninstallHomePlugin } from '../../plugins/homeRemotePlugins.js';
import { defineMethod } from '../method.js';

/** `plugin/uninstall` params (Codex's `PluginUninstallParams`). */
export const PluginUninstallParams = t.type({ pluginId: t.string });

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstall = defineMethod({
  name: 'plugin/uninstall',
  params: PluginUninstallParams,
  scope: () => ({ key: 'plugins', access: 'write' }),
  handle: (ctx, p) => uninstallHomePlugin(ctx.codexHome, ctx.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: ctx.chatgptBaseUrl }, p.pluginId),
});
