import { pluginUninstallMethod } from '../../../../protocol/plugins.js';
import { bindMethod } from '../method.js';

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstall = bindMethod(
  pluginUninstallMethod,
  (ctx, p) => async () => (await ctx.plugins()).uninstall(p)(),
);
