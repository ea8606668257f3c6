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
  const backend = '--chatgpt-base-url <url>';
  const backendHelp = "the ChatGPT plugin backend; default: config.toml's chatgpt_base_url, else https://chatgpt.com/backend-api/";
  withHomeOptions(
    plugins
      .command('install')
      .description(
        'install a plugin, as `plugin/install` does: from a local marketplace file (cache root replaced, enabled in config.toml), or with --remote-marketplace from the ChatGPT plugin backend (bundle downloaded into the cache, remote-install sidecar written)',
      )
      .argument('<marketplacePathOrRemoteId>', 'the marketplace file (…/.agents/plugins/marketplace.json); with --remote-marketplace, the remote plugin id')
      .argument('[pluginName]', 'the plugin, by its name in that marketplace (local installs)')
      .option(
        '--remote-marketplace <name>',
        "install from the backend (as Codex, the plugin's scope decides where it is cached: openai-curated-remote, workspace-directory)",
      )
      .option(backend, backendHelp),
  ).action(lazyAction(() => import('../actions/pluginsInstall.js')));
  withHomeOptions(
    plugins
      .command('sync')
      .description(
        "sync the cache with the account's remotely installed plugins, as Codex at start (and `serve`): new releases downloaded, a current bundle's missing sidecar restored, stale remote cache roots removed",
      )
      .option(backend, backendHelp),
  ).action(lazyAction(() => import('../actions/pluginsSync.js')));
  withHomeOptions(
    plugins
      .command('uninstall')
      .description(
        'uninstall a plugin, as `plugin/uninstall` does: <name>@<marketplace> locally (cache root and sidecar removed, config.toml table dropped), a backend plugin id on the backend too',
      )
      .argument('<pluginId>', '<name>@<marketplace>, or a remote plugin id')
      .option(backend, backendHelp),
  ).action(lazyAction(() => import('../actions/pluginsUninstall.js')));
};
