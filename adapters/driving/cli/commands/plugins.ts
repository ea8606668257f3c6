import type { PluginIdentity } from '../../../../domain/plugins/identity.js';
import type { RemoteSyncOutcome } from '../../../../domain/plugins/remoteCatalog.js';
import type { PluginListResult } from '../../../../protocol/plugins.js';
import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import { HOME_AND_JSON_OPTIONS, METHOD_VIEW_OPTIONS } from '../homeOptions.js';

const pluginLine = (r: PluginIdentity): string => {
  const state = r.installed ? `installed ${r.activeVersion}` : 'not installed';
  const remote = r.remotePluginId ?? (r.sidecarError ? `sidecar error: ${r.sidecarError}` : '-');
  return `${r.pluginId}  ${state}  remote ${remote}  uses ${r.uses} in ${r.threads} threads${r.lastUsedAt ? `, last ${r.lastUsedAt}` : ''}`;
};

/** A listed plugin as the table shows it: a local marketplace's summary, or a remote catalog's entry summarised by Codex's rules. */
const pluginRow = (p: { readonly [k: string]: unknown }): string =>
  `  ${String(p['id'])}  ${p['installed'] === true ? 'installed' : 'not installed'}${p['enabled'] === true ? ', enabled' : ''}${typeof p['localVersion'] === 'string' ? `  ${p['localVersion']}` : ''}`;

const listingText = (l: PluginListResult): string =>
  [
    ...l.marketplaces.flatMap((m) => [
      `${m.name}  ${m.path ?? '(remote catalog)'}`,
      ...m.plugins.map((p) => pluginRow(p)),
    ]),
    ...l.marketplaceLoadErrors.map((e) => `error: ${e.marketplacePath}: ${e.message}`),
  ].join('\n');

const syncText = (o: RemoteSyncOutcome): string =>
  [
    ['installed', o.installedPluginIds],
    ['sidecar restored', o.backfilledPluginIds],
    ['removed', o.removedCachePluginIds],
    ['failed', o.failedRemotePluginIds],
  ]
    .map(([what, ids]) => `${what as string}: ${(ids as string[]).length === 0 ? '-' : (ids as string[]).join(', ')}`)
    .join('\n');

/** `--chatgpt-base-url`, which the backend's subcommands share. */
const backendOption = () =>
  option(
    '--chatgpt-base-url <url>',
    "the ChatGPT plugin backend; default: config.toml's chatgpt_base_url, else https://chatgpt.com/backend-api/",
  );

/** The backend a subcommand was pointed at. */
const backendOf = (opts: { readonly chatgptBaseUrl?: string }): { chatgptBaseUrl?: string } =>
  opts.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: opts.chatgptBaseUrl };

// `plugins` declares the home options too, and its subcommands take them wherever they are written.
const listCommand = command({
  name: 'list',
  description: 'the local marketplaces the home sees and their plugins, as `plugin/list` answers',
  arguments: [],
  options: {
    cwd: option('--cwd <dir...>', "also the marketplace of each folder's repository", { param: 'cwds' }),
    ...METHOD_VIEW_OPTIONS,
  },
  withParentOptions: true,
  params: async () => ({ method: (await import('../../../../protocol/plugins.js')).pluginListMethod }),
  run: async ({ opts, params: p }) => {
    const [
      { listPlugins },
      { homePluginPorts },
      { withHome },
      { printAnswer },
      { pluginListMethod, remoteLocalVersionAt },
      { isCodexVersion },
    ] = await Promise.all([
      import('../../../../replay/plugins/listPlugins.js'),
      import('../../../driven/plugins/homeRemotePlugins.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
      import('../../../../protocol/plugins.js'),
      import('../../../../protocol/codexVersions.js'),
    ]);
    // A remote plugin's localVersion as the version the command speaks answers it (`--codex-version`, resolved by commandSpec).
    const localVersion = isCodexVersion(opts.codexVersion)
      ? remoteLocalVersionAt(pluginListMethod, opts.codexVersion)
      : undefined;
    await withHome(opts, async ({ codexHome }) => {
      const r = await listPlugins(homePluginPorts(codexHome, {}), p, localVersion)();
      await printAnswer(r, opts, listingText);
    });
  },
});

/**
 * `plugins install`: `<marketplacePath> <pluginName>` from a local marketplace, or
 * `--remote-marketplace <name> <remotePluginId>` from the ChatGPT plugin backend.
 */
const installCommand = command({
  name: 'install',
  description:
    'install a plugin, as `plugin/install` does: from a local marketplace file (cache root replaced, enabled in config.toml), or with --remote-marketplace from the ChatGPT plugin backend (bundle downloaded into the cache, remote-install sidecar written)',
  arguments: [
    argument(
      '<marketplacePathOrRemoteId>',
      'the marketplace file (…/.agents/plugins/marketplace.json); with --remote-marketplace, the remote plugin id',
    ),
    argument('[pluginName]', 'the plugin, by its name in that marketplace (local installs)'),
  ],
  options: {
    remoteMarketplace: option(
      '--remote-marketplace <name>',
      "install from the backend (as Codex, the plugin's scope decides where it is cached: openai-curated-remote, workspace-directory)",
    ),
    chatgptBaseUrl: backendOption(),
    ...HOME_AND_JSON_OPTIONS,
  },
  withParentOptions: true,
  // Two shapes of one method's params: decoded here, where the home is named first.
  run: async ({ args: [target, pluginName], opts }) => {
    const [
      E,
      { invalidArgument },
      { installPlugin },
      { PluginInstallParams },
      { homePluginPorts },
      { decodeRequest, withRequest },
      { homeOf },
      { printAnswer },
    ] = await Promise.all([
      import('fp-ts/lib/Either.js'),
      import('../../../../domain/errors.js'),
      import('../../../../replay/plugins/installPlugin.js'),
      import('../../../../protocol/plugins.js'),
      import('../../../driven/plugins/homeRemotePlugins.js'),
      import('../decodeOptions.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
    ]);
    // The home's plugin ports, as `serve` builds them (`openCodexHome`): this command opens no index.
    // Either shape's params go to the use case `plugin/install` runs, which routes them as it does for `serve`.
    const named = homeOf(opts);
    if (E.isLeft(named)) return printAnswer(named, opts, () => '');
    const plugins = homePluginPorts(named.right.codexHome, backendOf(opts));
    if (opts.remoteMarketplace !== undefined) {
      const request =
        pluginName !== undefined
          ? E.left(invalidArgument('<pluginName>', 'a remote install takes one argument, the remote plugin id'))
          : decodeRequest(
              PluginInstallParams,
              { remoteMarketplaceName: opts.remoteMarketplace, pluginName: target },
              { remoteMarketplaceName: '--remote-marketplace', pluginName: '<remotePluginId>' },
            );
      return withRequest(opts, request, async (p) => {
        const r = await installPlugin(plugins, p)();
        await printAnswer(r, opts, () => `installed ${p.pluginName} from the plugin backend`);
      });
    }
    const request =
      pluginName === undefined
        ? E.left(
            invalidArgument('<pluginName>', 'required with a local marketplace file (or give --remote-marketplace)'),
          )
        : decodeRequest(
            PluginInstallParams,
            { marketplacePath: target, pluginName },
            { marketplacePath: '<marketplacePath>', pluginName: '<pluginName>' },
          );
    return withRequest(opts, request, async (p) => {
      const r = await installPlugin(plugins, p)();
      await printAnswer(r, opts, () => `installed ${p.pluginName} from ${p.marketplacePath ?? target}`);
    });
  },
});

/** `plugins sync`: the remote sync `serve` runs at start, once. */
const syncCommand = command({
  name: 'sync',
  description:
    "sync the cache with the account's remotely installed plugins, as Codex at start (and `serve`): new releases downloaded, a current bundle's missing sidecar restored, stale remote cache roots removed",
  arguments: [],
  options: { chatgptBaseUrl: backendOption(), ...HOME_AND_JSON_OPTIONS },
  withParentOptions: true,
  run: async ({ opts }) => {
    const [{ homePluginPorts }, { withHome }, { printAnswer }] = await Promise.all([
      import('../../../driven/plugins/homeRemotePlugins.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
    ]);
    await withHome(opts, async ({ codexHome }) => {
      const r = await homePluginPorts(codexHome, backendOf(opts)).syncRemote();
      await printAnswer(r, opts, syncText);
    });
  },
});

const uninstallCommand = command({
  name: 'uninstall',
  description:
    'uninstall a plugin, as `plugin/uninstall` does: <name>@<marketplace> locally (cache root and sidecar removed, config.toml table dropped), a backend plugin id on the backend too',
  arguments: [argument('<pluginId>', '<name>@<marketplace>, or a remote plugin id', { param: 'pluginId' })],
  options: { chatgptBaseUrl: backendOption(), ...METHOD_VIEW_OPTIONS },
  withParentOptions: true,
  params: async () => ({ method: (await import('../../../../protocol/plugins.js')).pluginUninstallMethod }),
  run: async ({ args: [pluginId], opts, params: p }) => {
    const [{ homePluginPorts }, { withHome }, { printAnswer }] = await Promise.all([
      import('../../../driven/plugins/homeRemotePlugins.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
    ]);
    await withHome(opts, async ({ codexHome }) => {
      const r = await homePluginPorts(codexHome, backendOf(opts)).uninstall(p)();
      await printAnswer(r, opts, () => `uninstalled ${pluginId}`);
    });
  },
});

/** `plugins`: plugin identities from the cache's sidecars and the rollouts; the subcommands as the plugin methods. */
export const pluginsCommand = command({
  name: 'plugins',
  description: 'plugin identity: local id ↔ remote id (sidecars), versions, first/last use and enable state (rollouts)',
  arguments: [],
  options: HOME_AND_JSON_OPTIONS,
  subcommands: [listCommand, installCommand, syncCommand, uninstallCommand],
  run: async ({ opts }) => {
    const [
      { listPluginIdentities },
      { diskPluginCache },
      { withCaughtUpHome },
      { homeOf },
      { printAnswer },
      { cliFeedback, stepText },
    ] = await Promise.all([
      import('../../../../replay/plugins/listPluginIdentities.js'),
      import('../../../driven/plugins/pluginCache.js'),
      import('../../composition/openCodexHome.js'),
      import('../homeOptions.js'),
      import('../printAnswer.js'),
      import('../progress.js'),
    ]);
    const named = homeOf(opts);
    if (named._tag === 'Left') return printAnswer(named, opts, () => '');
    const { codexHome, indexDir } = named.right;
    const listing = stepText(`reading the plugins of ${codexHome}`, 'read', 'nothing was changed');
    const rows = await withCaughtUpHome(
      codexHome,
      indexDir,
      { onStatus: cliFeedback.onStatus },
      (home) => () => cliFeedback.during(listing, listPluginIdentities(diskPluginCache(codexHome), home.store)),
    );
    cliFeedback.settle();
    await printAnswer(rows, opts, (all) => all.map(pluginLine).join('\n'));
  },
});
