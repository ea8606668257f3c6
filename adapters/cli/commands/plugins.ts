import type { Command } from 'commander';
import { withHomeOptions } from '../homeOptions.js';
import { lazyAction } from '../lazyAction.js';

export const registerPlugins = (program: Command): void => {
  const plugins = withHomeOptions(
    program.command('plugins').description('plugin identity: local id ↔ remote id (sidecars), versions, first/last use and enable state (rollouts)'),
  ).action(lazyAction(() => import('../actions/plugins.js')));
  withHomeOptions(
    plugins
      .command('list')
      .description('the local marketplaces the home sees and their plugins, as `plugin/list` answers')
      .option('--cwd <dir...>', "also the marketplace of each folder's repository"),
  ).action(lazyAction(() => import('../actions/pluginsList.js')));
  withHomeOptions(
    plugins
      .command('install')
      .description('install a plugin from a local marketplace file, as `plugin/install` does (cache root replaced, enabled in config.toml)')
      .argument('<marketplacePath>', 'the marketplace file (…/.agents/plugins/marketplace.json)')
      .argument('<pluginName>', 'the plugin, by its name in that marketplace'),
  ).action(lazyAction(() => import('../actions/pluginsInstall.js')));
  withHomeOptions(
    plugins
      .command('uninstall')
      .description('uninstall a plugin, as `plugin/uninstall` does (cache root and sidecar removed, config.toml table dropped)')
      .argument('<pluginId>', '<name>@<marketplace>'),
  ).action(lazyAction(() => import('../actions/pluginsUninstall.js')));
};
