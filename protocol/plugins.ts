import * as t from 'io-ts';
import { optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';
import type { RpcScope } from './methodEntry.js';

/** One plugin install or uninstall at a time: each replaces a cache root and rewrites config.toml. */
const pluginsWrite = (): RpcScope => ({ key: 'plugins', access: 'write' });

/** Codex's `PluginListMarketplaceKind`, in its order (the order its refusal of another names them in). */
export const PluginListMarketplaceKind = t.keyof({ local: null, vertical: null, 'workspace-directory': null, 'shared-with-me': null, 'created-by-me-remote': null });

/** `plugin/list` params (Codex's `PluginListParams`): `marketplaceKinds` chooses the local marketplaces or not; the remote kinds and `forceRefetch` concern remote catalogs. */
export const PluginListParams = t.partial({
  cwds: optional(t.array(t.string)),
  marketplaceKinds: optional(t.array(PluginListMarketplaceKind)),
  forceRefetch: optional(t.boolean),
});

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
export const pluginListMethod = method()({ name: 'plugin/list', params: PluginListParams, scope: unscoped });

/** `plugin/installed` params (Codex's `PluginInstalledParams`). */
export const PluginInstalledParams = t.partial({ cwds: optional(t.array(t.string)), installSuggestionPluginNames: optional(t.array(t.string)) });

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalledMethod = method()({ name: 'plugin/installed', params: PluginInstalledParams, scope: unscoped });

/** `plugin/read` params (Codex's `PluginReadParams`). */
export const PluginReadParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string) }),
]);

/** `plugin/read`: one plugin of a local marketplace file or of a remote catalog, in detail. */
export const pluginReadMethod = method()({ name: 'plugin/read', params: PluginReadParams, scope: unscoped });

/** `plugin/install` params (Codex's `PluginInstallParams`). */
export const PluginInstallParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string), installAttemptId: optional(t.string) }),
]);

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstallMethod = method()({ name: 'plugin/install', params: PluginInstallParams, scope: pluginsWrite });

/** `plugin/uninstall` params (Codex's `PluginUninstallParams`). */
export const PluginUninstallParams = t.type({ pluginId: t.string });

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstallMethod = method()({ name: 'plugin/uninstall', params: PluginUninstallParams, scope: pluginsWrite });
