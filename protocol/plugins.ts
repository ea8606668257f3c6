import * as t from 'io-ts';
import { ruleChangedAt } from './codexVersions.js';
import type { CodexVersion, Versioned } from './codexVersions.js';
import type { RemoteLocalVersion } from '../domain/plugins/remotePluginDetail.js';
import type { PluginDetail, PluginMarketplaceEntry } from '../domain/plugins/marketplace.js';
import type { MarketplaceLoadError } from '../domain/plugins/ports.js';
import { optional } from './jsonRpc.js';
import { method, unscoped } from './methodEntry.js';
import type { RpcScope } from './methodEntry.js';

/** One plugin install or uninstall at a time: each replaces a cache root and rewrites config.toml. */
const pluginsWrite = (): RpcScope => ({ key: 'plugins', access: 'write' });

/** Codex's `PluginListMarketplaceKind`, in its order (the order its refusal of another names them in). */
export const PluginListMarketplaceKind = t.keyof({
  local: null,
  vertical: null,
  'workspace-directory': null,
  'shared-with-me': null,
  'created-by-me-remote': null,
});

/** `plugin/list` params (Codex's `PluginListParams`): `marketplaceKinds` chooses the local marketplaces or not; the remote kinds and `forceRefetch` concern remote catalogs. */
export const PluginListParams = t.partial({
  cwds: optional(t.array(t.string)),
  marketplaceKinds: optional(t.array(PluginListMarketplaceKind)),
  forceRefetch: optional(t.boolean),
});

/** What `plugin/installed` answers (Codex's `PluginInstalledResponse`): marketplaces with their installed plugins, and those that failed to load. */
export interface PluginInstalledResult {
  readonly marketplaces: ReadonlyArray<PluginMarketplaceEntry>;
  readonly marketplaceLoadErrors: ReadonlyArray<MarketplaceLoadError>;
}

/** A remote catalog listed as a marketplace: its plugins summarised from the backend's entries, as Codex summarises them. */
export interface RemoteMarketplaceEntry {
  readonly name: string;
  readonly path: null;
  readonly interface: { readonly displayName: string };
  readonly plugins: ReadonlyArray<Record<string, unknown>>;
}

/** What `plugin/list` answers (Codex's `PluginListResponse`): the local marketplaces, then the remote catalogs asked for, and the curated catalog's featured ids. */
export interface PluginListResult {
  readonly marketplaces: ReadonlyArray<PluginMarketplaceEntry | RemoteMarketplaceEntry>;
  readonly marketplaceLoadErrors: ReadonlyArray<MarketplaceLoadError>;
  readonly featuredPluginIds: ReadonlyArray<string>;
}

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
/**
 * 0.171.0 answers a remote plugin's `localVersion` (in `plugin/read` and `plugin/list`) as the
 * version of its bundle in the home's plugin cache (null without one), where 0.169.0 answered the
 * account's installed release. Measured on both binaries (test/compat/remotePlugins.compat.spec.ts:
 * a workspace plugin the backend lists as installed with no bundle, `0.1.0` → null; one installed
 * through `plugin/install`, the release its bundle is stored at, in both).
 */
export const REMOTE_LOCAL_VERSION_FROM_CACHE = 'remoteLocalVersionFromCache';
const localVersionDelta = {
  kind: 'ruleChanged',
  since: '0.171.0',
  rule: REMOTE_LOCAL_VERSION_FROM_CACHE,
  source: 'codex-rs/core-plugins/src/remote.rs (measured: no source at its tag here)',
} as const;

export const pluginListMethod = method<PluginListResult>()({
  name: 'plugin/list',
  params: PluginListParams,
  scope: unscoped,
  deltas: [localVersionDelta],
});

/** Where a connection speaking `version` gets a remote plugin's `localVersion` from in `entry`'s answer (its declared rule). */
export const remoteLocalVersionAt = (entry: Versioned, version: CodexVersion): RemoteLocalVersion =>
  ruleChangedAt(entry, REMOTE_LOCAL_VERSION_FROM_CACHE, version) ? 'pluginCache' : 'accountRelease';

/** `plugin/installed` params (Codex's `PluginInstalledParams`). */
export const PluginInstalledParams = t.partial({
  cwds: optional(t.array(t.string)),
  installSuggestionPluginNames: optional(t.array(t.string)),
});

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalledMethod = method<PluginInstalledResult>()({
  name: 'plugin/installed',
  params: PluginInstalledParams,
  scope: unscoped,
});

/** `plugin/read` params (Codex's `PluginReadParams`). */
export const PluginReadParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({ marketplacePath: optional(t.string), remoteMarketplaceName: optional(t.string) }),
]);

/** `plugin/read`: one plugin of a local marketplace file, or of a remote catalog (its detail as the backend's entry gives it), in detail (Codex's `PluginReadResponse`). */
export const pluginReadMethod = method<{ plugin: PluginDetail | Record<string, unknown> }>()({
  name: 'plugin/read',
  params: PluginReadParams,
  scope: unscoped,
  deltas: [localVersionDelta],
});

/** `plugin/install` params (Codex's `PluginInstallParams`). */
export const PluginInstallParams = t.intersection([
  t.type({ pluginName: t.string }),
  t.partial({
    marketplacePath: optional(t.string),
    remoteMarketplaceName: optional(t.string),
    installAttemptId: optional(t.string),
  }),
]);

/** An app a plugin needs authorised (Codex's `AppSummary`). */
export interface AppSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly installUrl: string | null;
  readonly category: string | null;
}

/** What `plugin/install` answers (Codex's `PluginInstallResponse`): when the plugin asks for auth, and the apps still needing it. */
export interface PluginInstallResult {
  readonly authPolicy: 'ON_INSTALL' | 'ON_USE';
  readonly appsNeedingAuth: ReadonlyArray<AppSummary>;
}

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstallMethod = method<PluginInstallResult>()({
  name: 'plugin/install',
  params: PluginInstallParams,
  scope: pluginsWrite,
});

/** `plugin/uninstall` params (Codex's `PluginUninstallParams`). */
export const PluginUninstallParams = t.type({ pluginId: t.string });

/** `plugin/uninstall` of `<name>@<marketplace>` (local), or of a backend plugin id (remote). */
export const pluginUninstallMethod = method<Record<string, never>>()({
  name: 'plugin/uninstall',
  params: PluginUninstallParams,
  scope: pluginsWrite,
});
