import { pluginUninstallMethod } from '../../../protocol/plugins.js';
import { uninstallHomePlugin } from '../../plugins/homeRemotePlugins.js';
import { bindMethod } from '../method.js';

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstall = bindMethod(pluginUninstallMethod, (ctx, p) =>
  uninstallHomePlugin(ctx.codexHome, ctx.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: ctx.chatgptBaseUrl }, p.pluginId),
);
